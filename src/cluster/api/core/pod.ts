/** core/v1 Pod: the spec (containers, volumes, scheduling), the status, and the pod template. */
import type { z } from 'zod';
import { ObjectMeta, objectFields } from '../meta.ts';
import {
  always,
  apiPackage,
  bool,
  int32,
  int64,
  listOf,
  mapOf,
  optional,
  Quantity,
  required,
  str,
  stringMap,
  strings,
  Time,
  zero,
} from '../schema.ts';
import {
  AppArmorProfile,
  Container,
  EphemeralContainer,
  ResourceRequirements,
  SELinuxOptions,
  SeccompProfile,
  WindowsSecurityContextOptions,
} from './container.ts';
import { LocalObjectReference } from './references.ts';
import { Affinity, Toleration, TopologySpreadConstraint } from './scheduling.ts';
import { Volume } from './volume.ts';

const core = apiPackage('io.k8s.api.core.v1');

export const Sysctl = core.struct('Sysctl', 'A kernel parameter set for the pod.', {
  name: required(str, 'Parameter name, e.g. net.ipv4.ip_local_port_range.'),
  value: required(str, 'Value to set.'),
});

export const PodSecurityContext = core.struct(
  'PodSecurityContext',
  'Security settings for every container of the pod (containers may override some).',
  {
    seLinuxOptions: optional(SELinuxOptions, 'SELinux labels.'),
    windowsOptions: optional(WindowsSecurityContextOptions, 'Windows-only settings.'),
    runAsUser: optional(int64, 'UID to run container entrypoints as.'),
    runAsGroup: optional(int64, 'GID to run container entrypoints as.'),
    runAsNonRoot: optional(bool, 'Refuse to start containers that would run as UID 0.'),
    supplementalGroups: optional(listOf(int64), 'Extra GIDs for the first process of each container.'),
    supplementalGroupsPolicy: optional(str, 'Merge (default) or Strict: whether image groups are added too.'),
    fsGroup: optional(int64, 'GID that owns supported volumes and is added to every container.'),
    sysctls: optional(listOf(Sysctl), 'Namespaced kernel parameters.'),
    fsGroupChangePolicy: optional(str, 'OnRootMismatch or Always: when volume ownership is changed.'),
    seccompProfile: optional(SeccompProfile, 'Seccomp filter.'),
    appArmorProfile: optional(AppArmorProfile, 'AppArmor profile.'),
    seLinuxChangePolicy: optional(str, 'MountOption or Recursive: how SELinux labels reach volumes.'),
  },
);

export const HostAlias = core.struct('HostAlias', 'An extra /etc/hosts entry.', {
  ip: optional(str, 'IP address of the entry.'),
  hostnames: optional(strings, 'Host names for that IP.'),
});

export const PodDNSConfigOption = core.struct('PodDNSConfigOption', 'One resolver option.', {
  name: optional(str, 'Option name, e.g. ndots.'),
  value: optional(str, 'Option value.'),
});

export const PodDNSConfig = core.struct(
  'PodDNSConfig',
  'DNS settings merged into the generated resolv.conf.',
  {
    nameservers: optional(strings, 'Extra name server IPs.'),
    searches: optional(strings, 'Extra search domains.'),
    options: optional(listOf(PodDNSConfigOption), 'Extra resolver options.'),
  },
);

export const PodReadinessGate = core.struct(
  'PodReadinessGate',
  'A pod condition that must be True for the pod to count as ready.',
  {
    conditionType: required(str, 'Type of the condition.'),
  },
);

export const PodOS = core.struct('PodOS', 'Operating system the pod needs.', {
  name: required(str, 'linux or windows.'),
});

export const PodSchedulingGate = core.struct(
  'PodSchedulingGate',
  'A gate that keeps the pod from being scheduled until removed.',
  {
    name: required(str, 'Name of the gate.'),
  },
);

export const PodResourceClaim = core.struct('PodResourceClaim', 'A dynamic resource claim the pod uses.', {
  name: required(str, 'Name containers use to refer to the claim.'),
  resourceClaimName: optional(str, 'An existing ResourceClaim.'),
  resourceClaimTemplateName: optional(str, 'A template to create a claim for this pod from.'),
});

export const PodSpec = core.struct('PodSpec', 'The desired state of a pod: what to run and where.', {
  volumes: optional(listOf(Volume), 'Volumes the containers can mount.'),
  initContainers: optional(
    listOf(Container),
    'Containers run one at a time, each to completion, before the app containers start.',
  ),
  containers: required(listOf(Container), 'The application containers; at least one.'),
  ephemeralContainers: optional(
    listOf(EphemeralContainer),
    'Debugging containers added to a running pod through its ephemeralcontainers subresource.',
  ),
  restartPolicy: optional(str, 'Always (default), OnFailure or Never.'),
  terminationGracePeriodSeconds: optional(
    int64,
    'Seconds between SIGTERM and SIGKILL on deletion; 30 by default.',
  ),
  activeDeadlineSeconds: optional(int64, 'Seconds the pod may be active before it is failed.'),
  dnsPolicy: optional(str, 'ClusterFirst (default), ClusterFirstWithHostNet, Default or None.'),
  nodeSelector: optional(stringMap, 'Node labels a node must have for the pod to run there.'),
  serviceAccountName: optional(str, 'Service account the pod runs as; default by default.'),
  serviceAccount: optional(str, 'Deprecated alias of serviceAccountName.'),
  automountServiceAccountToken: optional(bool, 'Mount an API token for the service account.'),
  nodeName: optional(str, 'Node the pod is bound to; set by the scheduler through the binding subresource.'),
  hostNetwork: optional(bool, "Use the node's network namespace."),
  hostPID: optional(bool, "Use the node's process namespace."),
  hostIPC: optional(bool, "Use the node's IPC namespace."),
  shareProcessNamespace: optional(bool, "Containers of the pod can see one another's processes."),
  securityContext: optional(PodSecurityContext, 'Pod-level security settings.'),
  imagePullSecrets: optional(listOf(LocalObjectReference), 'Secrets holding registry credentials.'),
  hostname: optional(str, "The pod's host name; the pod name by default."),
  subdomain: optional(str, 'With a headless service of this name, gives the pod a DNS name.'),
  affinity: optional(Affinity, 'Node and pod affinity rules.'),
  schedulerName: optional(str, 'Scheduler that places the pod; default-scheduler by default.'),
  tolerations: optional(listOf(Toleration), 'Taints the pod tolerates.'),
  hostAliases: optional(listOf(HostAlias), 'Extra /etc/hosts entries.'),
  priorityClassName: optional(str, 'PriorityClass that gives the pod its priority.'),
  priority: optional(int32, 'Priority value, filled in from priorityClassName at admission.'),
  dnsConfig: optional(PodDNSConfig, 'Extra DNS settings.'),
  readinessGates: optional(listOf(PodReadinessGate), 'Extra conditions required for readiness.'),
  runtimeClassName: optional(str, 'RuntimeClass to run the pod with.'),
  enableServiceLinks: optional(bool, 'Inject environment variables describing services; true by default.'),
  preemptionPolicy: optional(str, 'PreemptLowerPriority (default) or Never.'),
  overhead: optional(mapOf(Quantity), 'Resources the runtime itself uses for this pod; set at admission.'),
  topologySpreadConstraints: optional(
    listOf(TopologySpreadConstraint),
    'How to spread the pod across domains.',
  ),
  setHostnameAsFQDN: optional(bool, "Make the host name the pod's fully qualified domain name."),
  os: optional(PodOS, 'The operating system the pod must run on.'),
  hostUsers: optional(bool, 'false runs the pod in its own user namespace.'),
  schedulingGates: optional(listOf(PodSchedulingGate), 'While any remain, the pod is not scheduled.'),
  resourceClaims: optional(listOf(PodResourceClaim), 'Dynamic resource claims.'),
  resources: optional(ResourceRequirements, 'Resources for the pod as a whole (alpha in v1.32).'),
});
export type PodSpec = z.infer<typeof PodSpec>;

export const PodCondition = core.struct('PodCondition', 'One aspect of the pod state, e.g. Ready.', {
  type: required(str, 'PodScheduled, Initialized, ContainersReady, Ready, PodReadyToStartContainers, ...'),
  status: required(str, 'True, False or Unknown.'),
  // A Go metav1.Time, not a pointer: written as null until the condition is probed.
  lastProbeTime: zero(Time.nullable(), null, 'When the condition was last checked.'),
  lastTransitionTime: optional(Time, 'When the status last changed.'),
  reason: optional(str, 'One-word CamelCase reason for the last transition.'),
  message: optional(str, 'Human-readable detail.'),
});
export type PodCondition = z.infer<typeof PodCondition>;

export const PodIP = core.struct('PodIP', 'An IP address of the pod.', {
  ip: required(str, 'The address.'),
});

export const HostIP = core.struct('HostIP', 'An IP address of the node the pod runs on.', {
  ip: required(str, 'The address.'),
});

export const ContainerStateWaiting = core.struct(
  'ContainerStateWaiting',
  'The container has not started yet.',
  {
    reason: optional(str, 'Why, e.g. ContainerCreating, ImagePullBackOff, CrashLoopBackOff.'),
    message: optional(str, 'Detail.'),
  },
);

export const ContainerStateRunning = core.struct('ContainerStateRunning', 'The container is running.', {
  startedAt: optional(Time, 'When it (re)started.'),
});

export const ContainerStateTerminated = core.struct('ContainerStateTerminated', 'The container has exited.', {
  exitCode: required(int32, 'Exit code of the last run.'),
  signal: optional(int32, 'Signal that ended it, if any.'),
  reason: optional(str, 'Why, e.g. Completed, Error, OOMKilled.'),
  message: optional(str, 'Detail, such as the termination message.'),
  startedAt: optional(Time, 'When the run started.'),
  finishedAt: optional(Time, 'When the run ended.'),
  containerID: optional(str, 'Runtime ID of the run, <runtime>://<id>.'),
});

export const ContainerState = core.struct(
  'ContainerState',
  'Exactly one of waiting, running or terminated.',
  {
    waiting: optional(ContainerStateWaiting, 'Not started yet.'),
    running: optional(ContainerStateRunning, 'Running.'),
    terminated: optional(ContainerStateTerminated, 'Exited.'),
  },
);

export const VolumeMountStatus = core.struct('VolumeMountStatus', 'How a volume is actually mounted.', {
  name: required(str, 'Name of the volume mount.'),
  mountPath: required(str, 'Path in the container.'),
  readOnly: optional(bool, 'Mounted read-only.'),
  recursiveReadOnly: optional(str, 'Disabled or Enabled, as applied.'),
});

export const LinuxContainerUser = core.struct(
  'LinuxContainerUser',
  'Identity of the first container process.',
  {
    uid: required(int64, 'User ID.'),
    gid: required(int64, 'Primary group ID.'),
    supplementalGroups: optional(listOf(int64), 'Supplementary group IDs.'),
  },
);

export const ContainerUser = core.struct('ContainerUser', 'Identity the container process runs with.', {
  linux: optional(LinuxContainerUser, 'On Linux.'),
});

export const ResourceHealth = core.struct('ResourceHealth', 'Health of one allocated device.', {
  resourceID: required(str, 'Device ID.'),
  health: optional(str, 'Healthy, Unhealthy or Unknown.'),
});

export const ResourceStatus = core.struct('ResourceStatus', 'Health of the devices behind one resource.', {
  name: required(str, 'Resource name.'),
  resources: optional(listOf(ResourceHealth), 'One entry per device.'),
});

export const ContainerStatus = core.struct('ContainerStatus', 'Observed state of one container.', {
  name: required(str, 'Container name.'),
  state: always(ContainerState, 'Current state.'),
  lastState: always(ContainerState, 'State of the previous run, e.g. why it was last restarted.'),
  ready: required(bool, 'Whether the readiness probe passes.'),
  restartCount: required(int32, 'How many times the container has been restarted.'),
  image: required(str, 'Image the container runs.'),
  imageID: required(str, 'Resolved image ID.'),
  containerID: optional(str, 'Runtime ID, <runtime>://<id>.'),
  started: optional(bool, 'Whether the startup probe has passed (or the container started, without one).'),
  allocatedResources: optional(mapOf(Quantity), 'Resources the node allocated to the container.'),
  resources: optional(ResourceRequirements, 'Resources actually applied.'),
  volumeMounts: optional(listOf(VolumeMountStatus), 'Volume mounts as applied.'),
  user: optional(ContainerUser, 'Identity of the process.'),
  allocatedResourcesStatus: optional(listOf(ResourceStatus), 'Health of allocated devices.'),
});
export type ContainerStatus = z.infer<typeof ContainerStatus>;

export const PodResourceClaimStatus = core.struct(
  'PodResourceClaimStatus',
  'The ResourceClaim made for a claim template.',
  {
    name: required(str, 'Name of the entry in spec.resourceClaims.'),
    resourceClaimName: optional(str, 'Name of the generated ResourceClaim.'),
  },
);

export const PodStatus = core.struct(
  'PodStatus',
  'Observed state of a pod, written by the scheduler and kubelet.',
  {
    phase: optional(str, 'Pending, Running, Succeeded, Failed or Unknown.'),
    conditions: optional(listOf(PodCondition), 'Current conditions.'),
    message: optional(str, 'Why the pod is in this state.'),
    reason: optional(str, 'One-word reason, e.g. Evicted.'),
    nominatedNodeName: optional(str, 'Node the pod is expected to land on after preempting others.'),
    hostIP: optional(str, 'Primary IP of the node.'),
    hostIPs: optional(listOf(HostIP), 'IPs of the node.'),
    podIP: optional(str, 'Primary IP of the pod.'),
    podIPs: optional(listOf(PodIP), 'IPs of the pod.'),
    startTime: optional(Time, 'When the kubelet accepted the pod.'),
    initContainerStatuses: optional(listOf(ContainerStatus), 'Status of the init containers.'),
    containerStatuses: optional(listOf(ContainerStatus), 'Status of the app containers.'),
    qosClass: optional(str, 'Guaranteed, Burstable or BestEffort, from the resource requests and limits.'),
    ephemeralContainerStatuses: optional(listOf(ContainerStatus), 'Status of the ephemeral containers.'),
    resize: optional(str, 'Progress of an in-place resize.'),
    resourceClaimStatuses: optional(listOf(PodResourceClaimStatus), 'ResourceClaims made for this pod.'),
  },
);
export type PodStatus = z.infer<typeof PodStatus>;

export const Pod = core.kind(
  { group: '', version: 'v1', kind: 'Pod' },
  'A group of containers that share network and storage and run together on one node.',
  {
    ...objectFields('Standard object metadata.'),
    spec: always(PodSpec, 'Desired state of the pod.'),
    status: always(PodStatus, 'Observed state of the pod; read-only for users.'),
  },
);
export type Pod = z.infer<typeof Pod>;

export const PodTemplateSpec = core.struct('PodTemplateSpec', 'The pod a controller creates copies of.', {
  metadata: always(ObjectMeta, 'Metadata for the pods, chiefly their labels.'),
  spec: always(PodSpec, 'Spec of the pods.'),
});
export type PodTemplateSpec = z.infer<typeof PodTemplateSpec>;
