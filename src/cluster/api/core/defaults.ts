/**
 * Defaulting for core/v1, as pkg/apis/core/v1/defaults.go does it on every decode. Defaults
 * that apply to a PodSpec apply inside templates too (Deployment, ReplicaSet, ...); a few apply
 * only to real Pods (enableServiceLinks, requests copied from limits), as in Kubernetes, which is
 * why `kubectl get deploy -o yaml` shows no enableServiceLinks in the template.
 *
 * Quantities are rewritten in canonical form ("1024Mi" -> "1Gi"), as a round trip through
 * kube-apiserver does, and resource lists are rounded up to milli-units first.
 */
import { formatQuantity, parseQuantity, roundUpQuantity } from '../quantity.ts';
import type { Secret } from './config.ts';
import type { Container, EphemeralContainer, Probe } from './container.ts';
import type { Endpoints } from './endpoints.ts';
import { defaultPullPolicy } from './image.ts';
import type { Namespace } from './namespace.ts';
import type { Node } from './node.ts';
import type { Pod, PodSpec, PodTemplateSpec } from './pod.ts';
import type { ReplicationController } from './replication-controller.ts';
import type { Service } from './service.ts';
import { type Volume, volumeSourceNames } from './volume.ts';

/** File mode 0644, the default for files projected from ConfigMaps, Secrets and the downward API. */
const defaultFileMode = 0o644;

/** canonical rewrites a quantity the way it reads back after a write; invalid ones were refused at decode. */
function canonical(q: string | number): string {
  return formatQuantity(parseQuantity(q));
}

/** defaultResourceList rounds every amount up to milli precision ("0.0001" -> "1m"), as SetDefaults_ResourceList does. */
export function defaultResourceList(list: Record<string, string | number> | undefined): void {
  if (!list) return;
  for (const [name, amount] of Object.entries(list)) {
    list[name] = formatQuantity(roundUpQuantity(parseQuantity(amount), -3));
  }
}

function defaultProbe(probe: Probe | undefined): void {
  if (!probe) return;
  probe.timeoutSeconds ||= 1;
  probe.periodSeconds ||= 10;
  probe.successThreshold ||= 1;
  probe.failureThreshold ||= 3;
  defaultHandler(probe);
}

/** defaultHandler fills an HTTP action's path and scheme and a gRPC action's service name. */
function defaultHandler(handler: Pick<Probe, 'httpGet' | 'grpc'> | undefined): void {
  if (handler?.httpGet) {
    handler.httpGet.path ||= '/';
    handler.httpGet.scheme ||= 'HTTP';
  }
  if (handler?.grpc) handler.grpc.service ??= '';
}

/** defaultContainer applies SetDefaults_Container and the defaults of everything a container holds. */
export function defaultContainer(c: Container | EphemeralContainer): void {
  c.imagePullPolicy ||= defaultPullPolicy(c.image ?? '');
  c.terminationMessagePath ||= '/dev/termination-log';
  c.terminationMessagePolicy ||= 'File';
  for (const port of c.ports ?? []) port.protocol ||= 'TCP';
  for (const env of c.env ?? []) {
    if (env.valueFrom?.fieldRef) env.valueFrom.fieldRef.apiVersion ||= 'v1';
    const resourceRef = env.valueFrom?.resourceFieldRef;
    if (resourceRef) resourceRef.divisor = canonical(resourceRef.divisor ?? 0);
  }
  defaultResourceList(c.resources.limits);
  defaultResourceList(c.resources.requests);
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultHandler(c.lifecycle?.postStart);
  defaultHandler(c.lifecycle?.preStop);
}

/** defaultVolume gives a source-less volume an emptyDir and fills file modes and token lifetimes. */
export function defaultVolume(v: Volume): void {
  if (volumeSourceNames.every((source) => v[source as keyof Volume] === undefined)) v.emptyDir = {};
  if (v.hostPath) v.hostPath.type ??= '';
  if (v.emptyDir?.sizeLimit !== undefined) v.emptyDir.sizeLimit = canonical(v.emptyDir.sizeLimit);
  if (v.secret) v.secret.defaultMode ??= defaultFileMode;
  if (v.configMap) v.configMap.defaultMode ??= defaultFileMode;
  if (v.downwardAPI) {
    v.downwardAPI.defaultMode ??= defaultFileMode;
    for (const item of v.downwardAPI.items ?? []) defaultDownwardAPIFile(item);
  }
  if (v.projected) {
    v.projected.defaultMode ??= defaultFileMode;
    for (const source of v.projected.sources ?? []) {
      if (source.serviceAccountToken) source.serviceAccountToken.expirationSeconds ??= 3600;
      for (const item of source.downwardAPI?.items ?? []) defaultDownwardAPIFile(item);
    }
  }
}

function defaultDownwardAPIFile(
  item: NonNullable<NonNullable<Volume['downwardAPI']>['items']>[number],
): void {
  if (item.fieldRef) item.fieldRef.apiVersion ||= 'v1';
  if (item.resourceFieldRef) item.resourceFieldRef.divisor = canonical(item.resourceFieldRef.divisor ?? 0);
}

/** defaultPodSpec applies to pods and pod templates alike (SetDefaults_PodSpec and what it contains). */
export function defaultPodSpec(spec: PodSpec): void {
  spec.dnsPolicy ||= 'ClusterFirst';
  spec.restartPolicy ||= 'Always';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ||= 'default-scheduler';
  // serviceAccount is the deprecated spelling; conversion keeps the two in step.
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  for (const v of spec.volumes ?? []) defaultVolume(v);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.containers) defaultContainer(c);
  for (const c of spec.ephemeralContainers ?? []) defaultContainer(c);
  defaultResourceList(spec.overhead);
}

export function defaultPodTemplateSpec(template: PodTemplateSpec): void {
  defaultPodSpec(template.spec);
}

/**
 * defaultPod adds what only real pods get: requests copied from limits (so a pod with limits
 * alone is Guaranteed), service links on, and host ports mirrored for host-network pods.
 */
export function defaultPod(pod: Pod): void {
  const spec = pod.spec;
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    const { limits, requests } = c.resources;
    if (limits) c.resources.requests = { ...limits, ...requests };
  }
  spec.enableServiceLinks ??= true;
  if (spec.hostNetwork) {
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      for (const port of c.ports ?? []) port.hostPort ||= port.containerPort;
    }
  }
  defaultPodSpec(spec);
  for (const s of [
    ...(pod.status.initContainerStatuses ?? []),
    ...(pod.status.containerStatuses ?? []),
    ...(pod.status.ephemeralContainerStatuses ?? []),
  ]) {
    defaultResourceList(s.allocatedResources);
    defaultResourceList(s.resources?.limits);
    defaultResourceList(s.resources?.requests);
  }
}

/** defaultReplicationController: selector and labels come from the template, one replica. */
export function defaultReplicationController(rc: ReplicationController): void {
  const templateLabels = rc.spec.template?.metadata.labels;
  if (templateLabels) {
    if (!rc.spec.selector || Object.keys(rc.spec.selector).length === 0)
      rc.spec.selector = { ...templateLabels };
    if (!rc.metadata.labels || Object.keys(rc.metadata.labels).length === 0) {
      rc.metadata.labels = { ...templateLabels };
    }
  }
  rc.spec.replicas ??= 1;
  if (rc.spec.template) defaultPodTemplateSpec(rc.spec.template);
}

/** Seconds a ClientIP session sticks to one pod unless told otherwise: three hours. */
const defaultClientIPAffinitySeconds = 10800;

/** externallyAccessible: reachable from outside the cluster, so externalTrafficPolicy applies. */
function externallyAccessible(service: Service): boolean {
  const { type, externalIPs } = service.spec;
  return (
    type === 'LoadBalancer' || type === 'NodePort' || (type === 'ClusterIP' && (externalIPs?.length ?? 0) > 0)
  );
}

export function defaultService(service: Service): void {
  const spec = service.spec;
  spec.sessionAffinity ||= 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (
    spec.sessionAffinity === 'ClientIP' &&
    spec.sessionAffinityConfig?.clientIP?.timeoutSeconds === undefined
  ) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: defaultClientIPAffinitySeconds } };
  }
  spec.type ||= 'ClusterIP';
  for (const port of spec.ports ?? []) {
    port.protocol ||= 'TCP';
    if (port.targetPort === undefined || port.targetPort === 0 || port.targetPort === '')
      port.targetPort = port.port;
  }
  if (externallyAccessible(service)) spec.externalTrafficPolicy ||= 'Cluster';
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer' || spec.type === 'ClusterIP') {
    spec.internalTrafficPolicy ??= 'Cluster';
  }
  if (spec.type === 'LoadBalancer') {
    spec.allocateLoadBalancerNodePorts ??= true;
    for (const ingress of service.status.loadBalancer.ingress ?? []) {
      if (ingress.ip) ingress.ipMode ??= 'VIP';
    }
  }
}

/** defaultNamespace labels a namespace with its own name, so selectors can pick namespaces by name. */
export function defaultNamespace(ns: Namespace): void {
  if (ns.metadata.name) {
    ns.metadata.labels = { ...ns.metadata.labels, 'kubernetes.io/metadata.name': ns.metadata.name };
  }
  ns.status.phase ||= 'Active';
}

/** defaultSecret: type Opaque, and stringData merged into data (where it wins), as conversion does. */
export function defaultSecret(secret: Secret): void {
  secret.type ||= 'Opaque';
  if (secret.stringData) {
    secret.data ??= {};
    for (const [k, v] of Object.entries(secret.stringData))
      secret.data[k] = Buffer.from(v, 'utf8').toString('base64');
    delete secret.stringData;
  }
}

export function defaultEndpoints(endpoints: Endpoints): void {
  for (const subset of endpoints.subsets ?? []) {
    for (const port of subset.ports ?? []) port.protocol ||= 'TCP';
  }
}

/** defaultNode: allocatable starts as a copy of capacity. */
export function defaultNode(node: Node): void {
  const status = node.status;
  defaultResourceList(status.capacity);
  if (!status.allocatable && status.capacity) status.allocatable = { ...status.capacity };
  defaultResourceList(status.allocatable);
}
