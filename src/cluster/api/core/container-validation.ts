/**
 * Validation of containers and what they hold (ports, env, mounts, resources, probes), after
 * pkg/apis/core/validation. Paths and messages are Kubernetes' own, e.g.
 *   spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive
 */

import type { FieldError } from '../field-error.ts';
import * as field from '../field-error.ts';
import type { IntOrString } from '../intstr.ts';
import {
  inclusiveRangeError,
  isConfigMapKey,
  isRelaxedEnvVarName,
  isValidPortName,
  isValidPortNum,
  nameIsDNSSubdomain,
} from '../names.ts';
import { compareQuantities, formatQuantity, milliValue, parseQuantity, zeroQuantity } from '../quantity.ts';
import {
  isNegativeErrorMsg,
  validateDNS1123Label,
  validateNonnegative,
  validateQualifiedName,
} from '../validation.ts';
import type {
  Container,
  EnvFromSource,
  EnvVar,
  Lifecycle,
  LifecycleHandler,
  ObjectFieldSelector,
  Probe,
  ResourceFieldSelector,
  ResourceRequirements,
  SecurityContext,
  VolumeMount,
} from './container.ts';

export const supportedPortProtocols = ['SCTP', 'TCP', 'UDP'];

/** validatePortNumOrName checks a port given as a number (1-65535) or an IANA service name. */
export function validatePortNumOrName(port: IntOrString, path: string): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((msg) => field.invalid(path, port, msg));
  return isValidPortName(port).map((msg) => field.invalid(path, port, msg));
}

export function validateContainerPorts(ports: Container['ports'], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((port, i) => {
    const p = field.index(path, i);
    if (port.name) {
      const msgs = isValidPortName(port.name);
      if (msgs.length) errs.push(...msgs.map((m) => field.invalid(field.child(p, 'name'), port.name, m)));
      else if (names.has(port.name)) errs.push(field.duplicate(field.child(p, 'name'), port.name));
      else names.add(port.name);
    }
    if (port.containerPort === 0) errs.push(field.required(field.child(p, 'containerPort')));
    else
      errs.push(
        ...isValidPortNum(port.containerPort).map((m) =>
          field.invalid(field.child(p, 'containerPort'), port.containerPort, m),
        ),
      );
    if (port.hostPort)
      errs.push(
        ...isValidPortNum(port.hostPort).map((m) =>
          field.invalid(field.child(p, 'hostPort'), port.hostPort, m),
        ),
      );
    if (!port.protocol) errs.push(field.required(field.child(p, 'protocol')));
    else if (!supportedPortProtocols.includes(port.protocol)) {
      errs.push(field.notSupported(field.child(p, 'protocol'), port.protocol, supportedPortProtocols));
    }
  });
  return errs;
}

/** Pod fields an environment variable may take through fieldRef. */
const envFieldPaths = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];
/** Pod fields a downward API volume file may take through fieldRef. */
export const volumeFieldPaths = [
  'metadata.annotations',
  'metadata.labels',
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
];

export function validateObjectFieldSelector(
  fs: ObjectFieldSelector,
  allowed: readonly string[],
  path: string,
): FieldError[] {
  if (!fs.apiVersion) return [field.required(field.child(path, 'apiVersion'))];
  if (!fs.fieldPath) return [field.required(field.child(path, 'fieldPath'))];
  if (fs.apiVersion !== 'v1') {
    return [
      field.invalid(
        field.child(path, 'fieldPath'),
        fs.fieldPath,
        `error converting fieldPath: unsupported pod version: ${fs.apiVersion}`,
      ),
    ];
  }
  const subscripted = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(fs.fieldPath);
  if (subscripted) {
    const [, base, key] = subscripted;
    return validateQualifiedName(base === 'metadata.annotations' ? key!.toLowerCase() : key!, path);
  }
  return allowed.includes(fs.fieldPath)
    ? []
    : [field.notSupported(field.child(path, 'fieldPath'), fs.fieldPath, allowed)];
}

const resourceFieldRefs = [
  'limits.cpu',
  'limits.ephemeral-storage',
  'limits.memory',
  'requests.cpu',
  'requests.ephemeral-storage',
  'requests.memory',
];
const cpuDivisors = ['1m', '1'];
const byteDivisors = ['1', '1k', '1M', '1G', '1T', '1P', '1E', '1Ki', '1Mi', '1Gi', '1Ti', '1Pi', '1Ei'];

export function validateResourceFieldSelector(
  fs: ResourceFieldSelector,
  inVolume: boolean,
  path: string,
): FieldError[] {
  if (inVolume && !fs.containerName) return [field.required(field.child(path, 'containerName'))];
  if (!fs.resource) return [field.required(field.child(path, 'resource'))];
  const isHugePages = /^(limits|requests)\.hugepages-/.test(fs.resource);
  if (!resourceFieldRefs.includes(fs.resource) && !isHugePages) {
    return [field.notSupported(field.child(path, 'resource'), fs.resource, resourceFieldRefs)];
  }
  const divisor = parseQuantity(fs.divisor ?? 0);
  if (divisor.nanos === 0n) return [];
  const shown = formatQuantity(divisor);
  const isCPU = fs.resource.endsWith('.cpu');
  const allowed = isCPU ? cpuDivisors : byteDivisors;
  if (allowed.some((d) => compareQuantities(parseQuantity(d), divisor) === 0)) return [];
  const resource = fs.resource.split('.')[1]!;
  return [
    field.invalid(
      field.child(path, 'divisor'),
      shown,
      `only divisor's values ${allowed.join(', ')} are supported with the ${isHugePages ? 'hugepages' : resource} resource`,
    ),
  ];
}

function validateKeySelector(s: { name?: string | undefined; key: string }, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!s.name) errs.push(field.required(field.child(path, 'name')));
  if (!s.key) errs.push(field.required(field.child(path, 'key')));
  else errs.push(...isConfigMapKey(s.key).map((m) => field.invalid(field.child(path, 'key'), s.key, m)));
  return errs;
}

export function validateEnv(vars: readonly EnvVar[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (vars ?? []).forEach((ev, i) => {
    const p = field.index(path, i);
    if (!ev.name) errs.push(field.required(field.child(p, 'name')));
    else
      errs.push(
        ...isRelaxedEnvVarName(ev.name).map((m) => field.invalid(field.child(p, 'name'), ev.name, m)),
      );
    errs.push(...validateEnvVarValueFrom(ev, field.child(p, 'valueFrom')));
  });
  return errs;
}

function validateEnvVarValueFrom(ev: EnvVar, path: string): FieldError[] {
  const from = ev.valueFrom;
  if (!from) return [];
  const errs: FieldError[] = [];
  let sources = 0;
  if (from.fieldRef) {
    sources++;
    errs.push(...validateObjectFieldSelector(from.fieldRef, envFieldPaths, field.child(path, 'fieldRef')));
  }
  if (from.resourceFieldRef) {
    sources++;
    errs.push(
      ...validateResourceFieldSelector(from.resourceFieldRef, false, field.child(path, 'resourceFieldRef')),
    );
  }
  if (from.configMapKeyRef) {
    sources++;
    errs.push(...validateKeySelector(from.configMapKeyRef, field.child(path, 'configMapKeyRef')));
  }
  if (from.secretKeyRef) {
    sources++;
    errs.push(...validateKeySelector(from.secretKeyRef, field.child(path, 'secretKeyRef')));
  }
  if (sources === 0) {
    errs.push(
      field.invalid(
        path,
        '',
        'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
      ),
    );
  } else if (ev.value) {
    errs.push(field.invalid(path, '', 'may not be specified when `value` is not empty'));
  } else if (sources > 1) {
    errs.push(field.invalid(path, '', 'may not have more than one field specified at a time'));
  }
  return errs;
}

export function validateEnvFrom(sources: readonly EnvFromSource[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (sources ?? []).forEach((ev, i) => {
    const p = field.index(path, i);
    if (ev.prefix)
      errs.push(
        ...isRelaxedEnvVarName(ev.prefix).map((m) => field.invalid(field.child(p, 'prefix'), ev.prefix, m)),
      );
    const refs = [
      ['configMapRef', ev.configMapRef],
      ['secretRef', ev.secretRef],
    ] as const;
    let count = 0;
    for (const [name, ref] of refs) {
      if (!ref) continue;
      count++;
      const refPath = field.child(p, name);
      if (!ref.name) errs.push(field.required(field.child(refPath, 'name')));
      // Kubernetes checks these names as generateName prefixes (a trailing "-" is allowed).
      else
        errs.push(
          ...nameIsDNSSubdomain(ref.name, true).map((m) =>
            field.invalid(field.child(refPath, 'name'), ref.name, m),
          ),
        );
    }
    if (count === 0) errs.push(field.invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (count > 1)
      errs.push(field.invalid(path, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

/** validateLocalDescendingPath: a relative path that never climbs out with "..". */
export function validateLocalDescendingPath(target: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (target.startsWith('/')) errs.push(field.invalid(path, target, 'must be a relative path'));
  if (target.split('/').includes('..')) errs.push(field.invalid(path, target, "must not contain '..'"));
  return errs;
}

const mountPropagations = ['Bidirectional', 'HostToContainer', 'None'];
const recursiveReadOnlyModes = ['Disabled', 'Enabled', 'IfPossible'];

export function validateVolumeMounts(c: Container, volumes: ReadonlySet<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const mountPoints = new Set<string>();
  const devices = new Map((c.volumeDevices ?? []).map((d) => [d.name, d.devicePath]));
  (c.volumeMounts ?? []).forEach((m: VolumeMount, i) => {
    const p = field.index(path, i);
    if (!m.name) errs.push(field.required(field.child(p, 'name')));
    if (!volumes.has(m.name)) errs.push(field.notFound(field.child(p, 'name'), m.name));
    if (!m.mountPath) errs.push(field.required(field.child(p, 'mountPath')));
    if (mountPoints.has(m.mountPath))
      errs.push(field.invalid(field.child(p, 'mountPath'), m.mountPath, 'must be unique'));
    mountPoints.add(m.mountPath);
    if (devices.has(m.name))
      errs.push(field.invalid(field.child(p, 'name'), m.name, 'must not already exist in volumeDevices'));
    if ([...devices.values()].includes(m.mountPath)) {
      errs.push(
        field.invalid(
          field.child(p, 'mountPath'),
          m.mountPath,
          'must not already exist as a path in volumeDevices',
        ),
      );
    }
    // Kubernetes reports these two at volumeMounts.subPath, without the index.
    if (m.subPath) errs.push(...validateLocalDescendingPath(m.subPath, field.child(path, 'subPath')));
    if (m.subPathExpr) {
      if (m.subPath) {
        errs.push(
          field.invalid(
            field.child(p, 'subPathExpr'),
            m.subPathExpr,
            'subPathExpr and subPath are mutually exclusive',
          ),
        );
      }
      errs.push(...validateLocalDescendingPath(m.subPathExpr, field.child(path, 'subPathExpr')));
    }
    if (m.mountPropagation !== undefined) {
      const propagationPath = field.child(path, 'mountPropagation');
      if (!mountPropagations.includes(m.mountPropagation)) {
        errs.push(field.notSupported(propagationPath, m.mountPropagation, mountPropagations));
      } else if (m.mountPropagation === 'Bidirectional' && !c.securityContext?.privileged) {
        errs.push(
          field.forbidden(
            propagationPath,
            'Bidirectional mount propagation is available only to privileged containers',
          ),
        );
      }
    }
    if (m.recursiveReadOnly !== undefined && !recursiveReadOnlyModes.includes(m.recursiveReadOnly)) {
      errs.push(
        field.notSupported(
          field.child(path, 'recursiveReadOnly'),
          m.recursiveReadOnly,
          recursiveReadOnlyModes,
        ),
      );
    }
  });
  return errs;
}

const standardContainerResources = new Set(['cpu', 'memory', 'ephemeral-storage']);
/** Names Kubernetes accepts as resource names at all (quota names included), for the first check. */
const standardResources = new Set([
  ...standardContainerResources,
  'pods',
  'services',
  'replicationcontrollers',
  'resourcequotas',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'requests.storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'services.nodeports',
  'services.loadbalancers',
]);

const isHugePages = (name: string) => name.startsWith('hugepages-');
/** Native resources have no domain or a kubernetes.io one; everything else is an extended resource. */
const isNative = (name: string) => !name.includes('/') || /(^|\.)kubernetes\.io\//.test(name);
/** Extended resources and hugepages must be requested exactly as limited. */
const overcommitAllowed = (name: string) => isNative(name) && !isHugePages(name);

function validateContainerResourceName(name: string, path: string): FieldError[] {
  const errs = validateQualifiedName(name, path);
  if (errs.length) return errs;
  if (!name.includes('/')) {
    if (!standardResources.has(name) && !isHugePages(name)) {
      return [field.invalid(path, name, 'must be a standard resource type or fully qualified')];
    }
    if (!standardContainerResources.has(name) && !isHugePages(name)) {
      return [field.invalid(path, name, 'must be a standard resource for containers')];
    }
  }
  return [];
}

function validateQuantityValue(name: string, amount: string | number, path: string): FieldError[] {
  const q = parseQuantity(amount);
  const errs: FieldError[] = [];
  if (compareQuantities(q, zeroQuantity) < 0)
    errs.push(field.invalid(path, formatQuantity(q), isNegativeErrorMsg));
  // Extended resources are counted in whole units.
  if (!isNative(name) && milliValue(q) % 1000 !== 0)
    errs.push(field.invalid(path, formatQuantity(q), 'must be an integer'));
  return errs;
}

export function validateResourceRequirements(r: ResourceRequirements, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const limPath = field.child(path, 'limits');
  const reqPath = field.child(path, 'requests');
  for (const [name, amount] of Object.entries(r.limits ?? {})) {
    const p = field.key(limPath, name);
    errs.push(...validateContainerResourceName(name, p), ...validateQuantityValue(name, amount, p));
  }
  for (const [name, amount] of Object.entries(r.requests ?? {})) {
    const p = field.key(reqPath, name);
    errs.push(...validateContainerResourceName(name, p), ...validateQuantityValue(name, amount, p));
    const limit = r.limits?.[name];
    const request = parseQuantity(amount);
    if (limit !== undefined) {
      const cmp = compareQuantities(request, parseQuantity(limit));
      const limitText = formatQuantity(parseQuantity(limit));
      if (cmp !== 0 && !overcommitAllowed(name)) {
        errs.push(
          field.invalid(reqPath, formatQuantity(request), `must be equal to ${name} limit of ${limitText}`),
        );
      } else if (cmp > 0) {
        errs.push(
          field.invalid(
            reqPath,
            formatQuantity(request),
            `must be less than or equal to ${name} limit of ${limitText}`,
          ),
        );
      }
    } else if (!overcommitAllowed(name)) {
      errs.push(field.required(limPath, 'Limit must be set for non overcommitable resources'));
    }
  }
  return errs;
}

const httpSchemes = ['HTTP', 'HTTPS'];
const httpHeaderNameFmt = '[-A-Za-z0-9]+';

type Handler = Pick<Probe, 'exec' | 'httpGet' | 'tcpSocket' | 'grpc'> & Pick<LifecycleHandler, 'sleep'>;

/** validateHandler checks that exactly one action is set, and the action itself. */
function validateHandler(h: Handler, gracePeriod: number | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  const one = (name: string, check: () => FieldError[]) => {
    if (count > 0) {
      errs.push(field.forbidden(field.child(path, name), 'may not specify more than 1 handler type'));
    } else {
      count++;
      errs.push(...check());
    }
  };
  if (h.exec) {
    const exec = h.exec;
    one('exec', () => (exec.command?.length ? [] : [field.required(field.child(path, 'exec', 'command'))]));
  }
  if (h.httpGet) {
    const http = h.httpGet;
    const p = field.child(path, 'httpGet');
    one('httpGet', () => [
      ...(http.path ? [] : [field.required(field.child(p, 'path'))]),
      ...validatePortNumOrName(http.port, field.child(p, 'port')),
      ...(httpSchemes.includes(http.scheme ?? '')
        ? []
        : [field.notSupported(field.child(p, 'scheme'), http.scheme ?? '', httpSchemes)]),
      ...(http.httpHeaders ?? [])
        .filter((header) => !new RegExp(`^${httpHeaderNameFmt}$`).test(header.name))
        .map((header) =>
          field.invalid(
            field.child(p, 'httpHeaders'),
            header.name,
            `a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '${httpHeaderNameFmt}')`,
          ),
        ),
    ]);
  }
  if (h.tcpSocket) {
    const tcp = h.tcpSocket;
    one('tcpSocket', () => validatePortNumOrName(tcp.port, field.child(path, 'tcpSocket', 'port')));
  }
  if (h.grpc) {
    const grpc = h.grpc;
    one('grpc', () =>
      isValidPortNum(grpc.port).map((m) => field.invalid(field.child(path, 'grpc', 'port'), grpc.port, m)),
    );
  }
  if (h.sleep) {
    const sleep = h.sleep;
    // Without a grace period the pod already has an error of its own; do not add a second one.
    one('sleep', () =>
      gracePeriod !== undefined && (sleep.seconds <= 0 || sleep.seconds > gracePeriod)
        ? [
            field.invalid(
              field.child(path, 'sleep'),
              sleep.seconds,
              `must be greater than 0 and less than terminationGracePeriodSeconds (${gracePeriod})`,
            ),
          ]
        : [],
    );
  }
  if (count === 0) errs.push(field.required(path, 'must specify a handler type'));
  return errs;
}

export function validateLifecycle(
  lifecycle: Lifecycle,
  gracePeriod: number | undefined,
  path: string,
): FieldError[] {
  return [
    ...(lifecycle.postStart
      ? validateHandler(lifecycle.postStart, gracePeriod, field.child(path, 'postStart'))
      : []),
    ...(lifecycle.preStop
      ? validateHandler(lifecycle.preStop, gracePeriod, field.child(path, 'preStop'))
      : []),
  ];
}

function validateProbe(probe: Probe, gracePeriod: number | undefined, path: string): FieldError[] {
  const errs = validateHandler(probe, gracePeriod, path);
  for (const name of [
    'initialDelaySeconds',
    'timeoutSeconds',
    'periodSeconds',
    'successThreshold',
    'failureThreshold',
  ] as const) {
    errs.push(...validateNonnegative(probe[name], field.child(path, name)));
  }
  if (probe.terminationGracePeriodSeconds !== undefined && probe.terminationGracePeriodSeconds <= 0) {
    errs.push(
      field.invalid(
        field.child(path, 'terminationGracePeriodSeconds'),
        probe.terminationGracePeriodSeconds,
        'must be greater than 0',
      ),
    );
  }
  return errs;
}

export type ProbeKind = 'livenessProbe' | 'readinessProbe' | 'startupProbe';

/** validateProbeOf applies the rules of one probe slot: liveness and startup must succeed once. */
export function validateProbeOf(
  kind: ProbeKind,
  probe: Probe | undefined,
  gracePeriod: number | undefined,
  path: string,
): FieldError[] {
  if (!probe) return [];
  const errs = validateProbe(probe, gracePeriod, path);
  if (kind === 'readinessProbe') {
    if (probe.terminationGracePeriodSeconds !== undefined) {
      errs.push(
        field.invalid(
          field.child(path, 'terminationGracePeriodSeconds'),
          probe.terminationGracePeriodSeconds,
          'must not be set for readinessProbes',
        ),
      );
    }
  } else if (probe.successThreshold !== 1) {
    errs.push(field.invalid(field.child(path, 'successThreshold'), probe.successThreshold ?? 0, 'must be 1'));
  }
  return errs;
}

const maxID = 2147483647;

export function validateSecurityContext(sc: SecurityContext | undefined, path: string): FieldError[] {
  if (!sc) return [];
  const errs: FieldError[] = [];
  for (const name of ['runAsUser', 'runAsGroup'] as const) {
    const id = sc[name];
    if (id !== undefined && (id < 0 || id > maxID))
      errs.push(field.invalid(field.child(path, name), id, inclusiveRangeError(0, maxID)));
  }
  if (sc.privileged && sc.allowPrivilegeEscalation === false) {
    errs.push(
      field.invalid(
        path,
        new field.GoValue(sc, JSON.stringify(sc)),
        'cannot set `allowPrivilegeEscalation` to false and `privileged` to true',
      ),
    );
  }
  if (sc.capabilities?.add?.includes('CAP_SYS_ADMIN') && sc.allowPrivilegeEscalation === false) {
    errs.push(
      field.invalid(
        path,
        new field.GoValue(sc, JSON.stringify(sc)),
        'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN',
      ),
    );
  }
  return errs;
}

const pullPolicies = ['Always', 'IfNotPresent', 'Never'];
const terminationMessagePolicies = ['File', 'FallbackToLogsOnError'];

/** validateContainerCommon holds the checks every kind of container shares (validateContainerCommon). */
export function validateContainerCommon(
  c: Container,
  volumes: ReadonlySet<string>,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const namePath = field.child(path, 'name');
  if (!c.name) errs.push(field.required(namePath));
  else errs.push(...validateDNS1123Label(c.name, namePath));
  if (!c.image) errs.push(field.required(field.child(path, 'image')));
  const tmp = c.terminationMessagePolicy ?? '';
  if (!tmp)
    errs.push(
      field.required(
        field.child(path, 'terminationMessagePolicy'),
        "must be 'File' or 'FallbackToLogsOnError'",
      ),
    );
  else if (!terminationMessagePolicies.includes(tmp)) {
    errs.push(
      field.notSupported(field.child(path, 'terminationMessagePolicy'), tmp, terminationMessagePolicies),
    );
  }
  errs.push(...validateContainerPorts(c.ports, field.child(path, 'ports')));
  errs.push(...validateEnv(c.env, field.child(path, 'env')));
  errs.push(...validateEnvFrom(c.envFrom, field.child(path, 'envFrom')));
  errs.push(...validateVolumeMounts(c, volumes, field.child(path, 'volumeMounts')));
  const pull = c.imagePullPolicy ?? '';
  if (!pull) errs.push(field.required(field.child(path, 'imagePullPolicy')));
  else if (!pullPolicies.includes(pull))
    errs.push(field.notSupported(field.child(path, 'imagePullPolicy'), pull, pullPolicies));
  errs.push(...validateResourceRequirements(c.resources, field.child(path, 'resources')));
  errs.push(...validateSecurityContext(c.securityContext, field.child(path, 'securityContext')));
  return errs;
}

/** validateHostPortConflicts: two containers may not claim the same host IP, protocol and port. */
export function validateHostPortConflicts(
  containers: readonly Container[],
  path: string,
  seen = new Set<string>(),
): FieldError[] {
  const errs: FieldError[] = [];
  containers.forEach((c, ci) => {
    (c.ports ?? []).forEach((port, pi) => {
      if (!port.hostPort) return;
      const claim = `${port.hostIP ?? ''}/${port.protocol ?? ''}/${port.hostPort}`;
      if (seen.has(claim))
        errs.push(
          field.duplicate(
            field.child(field.index(field.child(field.index(path, ci), 'ports'), pi), 'hostPort'),
            claim,
          ),
        );
      else seen.add(claim);
    });
  });
  return errs;
}
