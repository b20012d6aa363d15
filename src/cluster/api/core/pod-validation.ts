/**
 * Validation of pods and pod templates (ValidatePodCreate, ValidatePodUpdate, ValidatePodSpec,
 * ValidatePodTemplateSpec), with Kubernetes' paths and messages.
 */
import { semanticEqual } from '../equality.ts';
import type { FieldError } from '../field-error.ts';
import * as field from '../field-error.ts';
import type { LabelSelector } from '../meta.ts';
import {
  inclusiveRangeError,
  isValidIP,
  isValidLabelValue,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
} from '../names.ts';
import {
  isNotPositiveErrorMsg,
  validateAnnotations,
  validateDNS1123Label,
  validateDNS1123Subdomain,
  validateLabelSelector,
  validateLabels,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validateQualifiedName,
} from '../validation.ts';
import type { Container, EphemeralContainer } from './container.ts';
import {
  type ProbeKind,
  validateContainerCommon,
  validateHostPortConflicts,
  validateLifecycle,
  validateProbeOf,
} from './container-validation.ts';
import type { Pod, PodSpec, PodTemplateSpec } from './pod.ts';
import type {
  Affinity,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  Toleration,
  TopologySpreadConstraint,
} from './scheduling.ts';
import { validateVolumes } from './volume-validation.ts';

const maxInt32 = 2147483647;
const probeKinds: ProbeKind[] = ['livenessProbe', 'readinessProbe', 'startupProbe'];

function validateContainers(spec: PodSpec, volumes: ReadonlySet<string>, path: string): FieldError[] {
  if (spec.containers.length === 0) return [field.required(path)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  const grace = spec.terminationGracePeriodSeconds;
  spec.containers.forEach((c, i) => {
    const p = field.index(path, i);
    errs.push(...validateContainerCommon(c, volumes, p));
    if (names.has(c.name)) errs.push(field.duplicate(field.child(p, 'name'), c.name));
    else names.add(c.name);
    if (c.lifecycle) errs.push(...validateLifecycle(c.lifecycle, grace, field.child(p, 'lifecycle')));
    for (const kind of probeKinds) errs.push(...validateProbeOf(kind, c[kind], grace, field.child(p, kind)));
    if (c.restartPolicy !== undefined)
      errs.push(field.forbidden(field.child(p, 'restartPolicy'), 'may not be set for non-init containers'));
  });
  errs.push(...validateHostPortConflicts(spec.containers, path));
  return errs;
}

/**
 * validateInitContainers: init containers share the name space of the app containers; without
 * restartPolicy Always (a sidecar) they run to completion and may not have probes or hooks.
 */
function validateInitContainers(spec: PodSpec, volumes: ReadonlySet<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set(spec.containers.map((c) => c.name));
  const grace = spec.terminationGracePeriodSeconds;
  (spec.initContainers ?? []).forEach((c, i) => {
    const p = field.index(path, i);
    errs.push(...validateContainerCommon(c, volumes, p));
    const sidecar = c.restartPolicy === 'Always';
    if (c.restartPolicy !== undefined && !sidecar) {
      errs.push(field.notSupported(field.child(p, 'restartPolicy'), c.restartPolicy, ['Always']));
    }
    if (names.has(c.name)) errs.push(field.duplicate(field.child(p, 'name'), c.name));
    else if (c.name) names.add(c.name);
    errs.push(...validateHostPortConflicts([c], path));
    if (sidecar) {
      if (c.lifecycle) errs.push(...validateLifecycle(c.lifecycle, grace, field.child(p, 'lifecycle')));
      for (const kind of probeKinds)
        errs.push(...validateProbeOf(kind, c[kind], grace, field.child(p, kind)));
    } else {
      const notForInit = 'may not be set for init containers without restartPolicy=Always';
      if (c.lifecycle) errs.push(field.forbidden(field.child(p, 'lifecycle'), notForInit));
      if (c.livenessProbe) errs.push(field.forbidden(field.child(p, 'livenessProbe'), notForInit));
      if (c.readinessProbe)
        errs.push(field.forbidden(field.child(p, 'readinessProbe'), 'may not be set for init containers'));
      if (c.startupProbe) errs.push(field.forbidden(field.child(p, 'startupProbe'), notForInit));
    }
    if (c.resizePolicy?.length)
      errs.push(
        field.invalid(field.child(p, 'resizePolicy'), c.resizePolicy, 'must not be set for init containers'),
      );
  });
  return errs;
}

/** Fields an ephemeral (debug) container may not have. */
const ephemeralForbidden = [
  'lifecycle',
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
  'ports',
  'resizePolicy',
  'restartPolicy',
] as const;

function validateEphemeralContainers(
  spec: PodSpec,
  volumes: ReadonlySet<string>,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set([...spec.containers, ...(spec.initContainers ?? [])].map((c) => c.name));
  (spec.ephemeralContainers ?? []).forEach((c: EphemeralContainer, i) => {
    const p = field.index(path, i);
    errs.push(...validateContainerCommon(c as Container, volumes, p));
    if (names.has(c.name)) errs.push(field.duplicate(field.child(p, 'name'), c.name));
    else names.add(c.name);
    for (const name of ephemeralForbidden) {
      if (c[name] !== undefined)
        errs.push(field.forbidden(field.child(p, name), 'cannot be set for an Ephemeral Container'));
    }
    if (Object.keys(c.resources.limits ?? {}).length || Object.keys(c.resources.requests ?? {}).length) {
      errs.push(field.forbidden(field.child(p, 'resources'), 'cannot be set for an Ephemeral Container'));
    }
  });
  return errs;
}

function validateNodeSelectorRequirement(
  rq: NodeSelectorRequirement,
  path: string,
  checkValues: boolean,
): FieldError[] {
  const errs: FieldError[] = [];
  const values = rq.values ?? [];
  const valuesPath = field.child(path, 'values');
  switch (rq.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0)
        errs.push(field.required(valuesPath, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0)
        errs.push(
          field.forbidden(valuesPath, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
        );
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1)
        errs.push(
          field.required(valuesPath, "must be specified single value when `operator` is 'Lt' or 'Gt'"),
        );
      break;
    default:
      errs.push(field.invalid(field.child(path, 'operator'), rq.operator, 'not a valid selector operator'));
  }
  errs.push(...validateQualifiedName(rq.key, field.child(path, 'key')));
  if (checkValues) {
    values.forEach((v, i) => {
      errs.push(...isValidLabelValue(v).map((m) => field.invalid(field.index(valuesPath, i), v, m)));
    });
  }
  return errs;
}

function validateNodeSelectorTerm(term: NodeSelectorTerm, path: string): FieldError[] {
  return [
    ...(term.matchExpressions ?? []).flatMap((rq, j) =>
      validateNodeSelectorRequirement(rq, field.index(field.child(path, 'matchExpressions'), j), true),
    ),
    ...(term.matchFields ?? []).flatMap((rq, j) => {
      const p = field.index(field.child(path, 'matchFields'), j);
      // Node fields can only be selected by metadata.name, with exactly one value for In and NotIn.
      if (rq.key !== 'metadata.name')
        return [field.invalid(field.child(p, 'key'), rq.key, 'not a valid field selector key')];
      if ((rq.operator === 'In' || rq.operator === 'NotIn') && (rq.values?.length ?? 0) !== 1) {
        return [
          field.required(
            field.child(p, 'values'),
            "must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
          ),
        ];
      }
      return validateNodeSelectorRequirement(rq, p, false);
    }),
  ];
}

function validateWeight(weight: number, path: string): FieldError[] {
  return weight <= 0 || weight > 100 ? [field.invalid(path, weight, 'must be in the range 1-100')] : [];
}

function validatePodAffinityTerm(
  term: {
    labelSelector?: LabelSelector | undefined;
    namespaces?: string[] | undefined;
    topologyKey: string;
    namespaceSelector?: LabelSelector | undefined;
  },
  path: string,
): FieldError[] {
  const errs = [
    ...validateLabelSelector(term.labelSelector, field.child(path, 'labelSelector')),
    ...validateLabelSelector(term.namespaceSelector, field.child(path, 'namespaceSelector')),
  ];
  for (const ns of term.namespaces ?? []) {
    errs.push(...nameIsDNSLabel(ns, false).map((m) => field.invalid(field.child(path, 'namespace'), ns, m)));
  }
  if (!term.topologyKey) errs.push(field.required(field.child(path, 'topologyKey'), 'can not be empty'));
  errs.push(...validateQualifiedName(term.topologyKey, field.child(path, 'topologyKey')));
  return errs;
}

function validateAffinity(affinity: Affinity | undefined, path: string): FieldError[] {
  if (!affinity) return [];
  const errs: FieldError[] = [];
  const na = affinity.nodeAffinity;
  if (na) {
    const napPath = field.child(path, 'nodeAffinity');
    const required = na.requiredDuringSchedulingIgnoredDuringExecution;
    if (required) {
      const termsPath = field.child(
        napPath,
        'requiredDuringSchedulingIgnoredDuringExecution',
        'nodeSelectorTerms',
      );
      if (required.nodeSelectorTerms.length === 0)
        errs.push(field.required(termsPath, 'must have at least one node selector term'));
      required.nodeSelectorTerms.forEach((t, i) => {
        errs.push(...validateNodeSelectorTerm(t, field.index(termsPath, i)));
      });
    }
    (na.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      const p = field.index(field.child(napPath, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
      errs.push(
        ...validateWeight(t.weight, field.child(p, 'weight')),
        ...validateNodeSelectorTerm(t.preference, field.child(p, 'preference')),
      );
    });
  }
  for (const name of ['podAffinity', 'podAntiAffinity'] as const) {
    const pa = affinity[name];
    if (!pa) continue;
    const paPath = field.child(path, name);
    (pa.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      errs.push(
        ...validatePodAffinityTerm(
          t,
          field.index(field.child(paPath, 'requiredDuringSchedulingIgnoredDuringExecution'), i),
        ),
      );
    });
    (pa.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      const p = field.index(field.child(paPath, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
      errs.push(
        ...validateWeight(t.weight, field.child(p, 'weight')),
        ...validatePodAffinityTerm(t.podAffinityTerm, field.child(p, 'podAffinityTerm')),
      );
    });
  }
  return errs;
}

export const taintEffects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** goToleration prints a toleration as Go's %#v prints core.Toleration. */
function goToleration(t: Toleration): field.GoValue {
  const seconds = t.tolerationSeconds === undefined ? '(*int64)(nil)' : `(*int64)(${t.tolerationSeconds})`;
  return new field.GoValue(
    t,
    `core.Toleration{Key:${field.goQuote(t.key ?? '')}, Operator:${field.goQuote(t.operator ?? '')}, Value:${field.goQuote(t.value ?? '')}, Effect:${field.goQuote(t.effect ?? '')}, TolerationSeconds:${seconds}}`,
  );
}

export function validateTolerations(
  tolerations: readonly Toleration[] | undefined,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  (tolerations ?? []).forEach((t, i) => {
    const p = field.index(path, i);
    const operatorPath = field.child(p, 'operator');
    if (t.key) errs.push(...validateQualifiedName(t.key, field.child(p, 'key')));
    if (!t.key && t.operator !== 'Exists') {
      errs.push(
        field.invalid(
          operatorPath,
          t.operator ?? '',
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    }
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      errs.push(
        field.invalid(
          field.child(p, 'effect'),
          t.effect ?? '',
          "effect must be 'NoExecute' when `tolerationSeconds` is set",
        ),
      );
    }
    switch (t.operator ?? '') {
      case 'Equal':
      case '': {
        const msgs = isValidLabelValue(t.value ?? '');
        if (msgs.length) errs.push(field.invalid(operatorPath, t.value ?? '', msgs.join(';')));
        break;
      }
      case 'Exists':
        if (t.value)
          errs.push(
            field.invalid(operatorPath, goToleration(t), "value must be empty when `operator` is 'Exists'"),
          );
        break;
      default:
        errs.push(field.notSupported(operatorPath, t.operator, ['Equal', 'Exists']));
    }
    if (t.effect && !taintEffects.includes(t.effect))
      errs.push(field.notSupported(field.child(p, 'effect'), t.effect, taintEffects));
  });
  return errs;
}

const nodeInclusionPolicies = ['Honor', 'Ignore'];

function validateTopologySpreadConstraints(
  constraints: readonly TopologySpreadConstraint[] | undefined,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const list = constraints ?? [];
  list.forEach((c, i) => {
    const p = field.index(path, i);
    if (c.maxSkew <= 0) errs.push(field.invalid(field.child(p, 'maxSkew'), c.maxSkew, isNotPositiveErrorMsg));
    if (!c.topologyKey) errs.push(field.required(field.child(p, 'topologyKey'), 'can not be empty'));
    if (c.whenUnsatisfiable !== 'DoNotSchedule' && c.whenUnsatisfiable !== 'ScheduleAnyway') {
      errs.push(
        field.notSupported(field.child(p, 'whenUnsatisfiable'), c.whenUnsatisfiable, [
          'DoNotSchedule',
          'ScheduleAnyway',
        ]),
      );
    }
    if (
      list
        .slice(i + 1)
        .some((o) => o.topologyKey === c.topologyKey && o.whenUnsatisfiable === c.whenUnsatisfiable)
    ) {
      errs.push(
        field.duplicate(
          field.child(p, '{topologyKey, whenUnsatisfiable}'),
          `{${c.topologyKey}, ${c.whenUnsatisfiable}}`,
        ),
      );
    }
    if (c.minDomains !== undefined) {
      const mp = field.child(p, 'minDomains');
      if (c.minDomains <= 0) errs.push(field.invalid(mp, c.minDomains, isNotPositiveErrorMsg));
      if (c.whenUnsatisfiable !== 'DoNotSchedule') {
        errs.push(
          field.invalid(
            mp,
            c.minDomains,
            `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${c.whenUnsatisfiable}`,
          ),
        );
      }
    }
    for (const name of ['nodeAffinityPolicy', 'nodeTaintsPolicy'] as const) {
      const policy = c[name];
      if (policy !== undefined && !nodeInclusionPolicies.includes(policy)) {
        errs.push(field.notSupported(field.child(p, name), policy, nodeInclusionPolicies));
      }
    }
    errs.push(...validateLabelSelector(c.labelSelector, field.child(p, 'labelSelector')));
  });
  return errs;
}

function validatePodDNSConfig(spec: PodSpec, path: string): FieldError[] {
  const cfg = spec.dnsConfig;
  if (spec.dnsPolicy === 'None') {
    if (!cfg) return [field.required(path, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (!cfg.nameservers?.length) {
      return [
        field.required(
          field.child(path, 'nameservers'),
          'must provide at least one DNS nameserver when `dnsPolicy` is None',
        ),
      ];
    }
  }
  if (!cfg) return [];
  const errs: FieldError[] = [];
  const servers = cfg.nameservers ?? [];
  if (servers.length > 3)
    errs.push(
      field.invalid(field.child(path, 'nameservers'), servers, 'must not have more than 3 nameservers'),
    );
  servers.forEach((ip, i) => {
    if (!isValidIP(ip))
      errs.push(
        field.invalid(field.index(field.child(path, 'nameservers'), i), ip, 'must be valid IP address'),
      );
  });
  if ((cfg.searches?.length ?? 0) > 32)
    errs.push(
      field.invalid(field.child(path, 'searches'), cfg.searches, 'must not have more than 32 search paths'),
    );
  (cfg.options ?? []).forEach((o, i) => {
    if (!o.name)
      errs.push(
        field.required(
          field.child(field.index(field.child(path, 'options'), i), 'name'),
          'Option.Name must not be empty',
        ),
      );
  });
  return errs;
}

const restartPolicies = ['Always', 'OnFailure', 'Never'];
const dnsPolicies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const preemptionPolicies = ['PreemptLowerPriority', 'Never'];

function validatePodSecurityContext(spec: PodSpec, path: string): FieldError[] {
  const sc = spec.securityContext;
  if (!sc) return [];
  const errs: FieldError[] = [];
  const checkID = (id: number | undefined, p: string) => {
    if (id !== undefined && (id < 0 || id > maxInt32))
      errs.push(field.invalid(p, id, inclusiveRangeError(0, maxInt32)));
  };
  checkID(sc.runAsUser, field.child(path, 'runAsUser'));
  checkID(sc.runAsGroup, field.child(path, 'runAsGroup'));
  checkID(sc.fsGroup, field.child(path, 'fsGroup'));
  (sc.supplementalGroups ?? []).forEach((g, i) => {
    checkID(g, field.index(field.child(path, 'supplementalGroups'), i));
  });
  return errs;
}

/** validatePodSpec checks a pod spec, in pods and in templates alike (ValidatePodSpec). */
export function validatePodSpec(spec: PodSpec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const p = (name: string) => field.child(path, name);
  if (spec.terminationGracePeriodSeconds === undefined)
    errs.push(field.required(p('terminationGracePeriodSeconds')));
  const volumes = validateVolumes(spec.volumes, p('volumes'));
  errs.push(...volumes.errors);
  errs.push(...validateContainers(spec, volumes.names, p('containers')));
  errs.push(...validateInitContainers(spec, volumes.names, p('initContainers')));
  errs.push(...validateEphemeralContainers(spec, volumes.names, p('ephemeralContainers')));
  if (spec.hostNetwork) {
    spec.containers.forEach((c, i) => {
      (c.ports ?? []).forEach((port, j) => {
        if (port.hostPort !== undefined && port.hostPort !== port.containerPort) {
          const hp = field.child(
            field.index(field.child(field.index(p('containers'), i), 'ports'), j),
            'hostPort',
          );
          errs.push(
            field.invalid(hp, port.hostPort, 'must match `containerPort` when `hostNetwork` is true'),
          );
        }
      });
    });
  }
  const restart = spec.restartPolicy ?? '';
  if (!restart) errs.push(field.required(p('restartPolicy')));
  else if (!restartPolicies.includes(restart))
    errs.push(field.notSupported(p('restartPolicy'), restart, restartPolicies));
  const dns = spec.dnsPolicy ?? '';
  if (!dns) errs.push(field.required(p('dnsPolicy')));
  else if (!dnsPolicies.includes(dns)) errs.push(field.notSupported(p('dnsPolicy'), dns, dnsPolicies));
  errs.push(...validateLabels(spec.nodeSelector, p('nodeSelector')));
  errs.push(...validatePodSecurityContext(spec, p('securityContext')));
  errs.push(...validateAffinity(spec.affinity, p('affinity')));
  errs.push(...validatePodDNSConfig(spec, p('dnsConfig')));
  (spec.readinessGates ?? []).forEach((g, i) => {
    errs.push(
      ...validateQualifiedName(
        g.conditionType,
        field.child(field.index(p('readinessGates'), i), 'conditionType'),
      ),
    );
  });
  const gates = new Set<string>();
  (spec.schedulingGates ?? []).forEach((g, i) => {
    const gp = field.index(p('schedulingGates'), i);
    errs.push(...validateQualifiedName(g.name, gp));
    if (gates.has(g.name)) errs.push(field.duplicate(gp, g.name));
    gates.add(g.name);
  });
  errs.push(
    ...validateTopologySpreadConstraints(spec.topologySpreadConstraints, p('topologySpreadConstraints')),
  );
  if (spec.serviceAccountName) {
    errs.push(
      ...nameIsDNSSubdomain(spec.serviceAccountName, false).map((m) =>
        field.invalid(p('serviceAccountName'), spec.serviceAccountName, m),
      ),
    );
  }
  if (spec.nodeName) errs.push(...validateDNS1123Subdomain(spec.nodeName, p('nodeName')));
  const deadline = spec.activeDeadlineSeconds;
  if (deadline !== undefined && (deadline < 1 || deadline > maxInt32)) {
    errs.push(field.invalid(p('activeDeadlineSeconds'), deadline, inclusiveRangeError(1, maxInt32)));
  }
  if (spec.hostname) errs.push(...validateDNS1123Label(spec.hostname, p('hostname')));
  if (spec.subdomain) errs.push(...validateDNS1123Label(spec.subdomain, p('subdomain')));
  errs.push(...validateTolerations(spec.tolerations, p('tolerations')));
  (spec.hostAliases ?? []).forEach((a, i) => {
    const ap = field.index(p('hostAliases'), i);
    if (!isValidIP(a.ip ?? ''))
      errs.push(field.invalid(field.child(ap, 'ip'), a.ip ?? '', 'must be valid IP address'));
    for (const h of a.hostnames ?? [])
      errs.push(...validateDNS1123Subdomain(h, field.child(ap, 'hostnames')));
  });
  if (spec.priorityClassName)
    errs.push(...validateDNS1123Subdomain(spec.priorityClassName, p('priorityClassName')));
  if (spec.preemptionPolicy !== undefined && !preemptionPolicies.includes(spec.preemptionPolicy)) {
    errs.push(field.notSupported(p('preemptionPolicy'), spec.preemptionPolicy, preemptionPolicies));
  }
  if (spec.os && spec.os.name !== 'linux' && spec.os.name !== 'windows') {
    errs.push(field.notSupported(field.child(p('os'), 'name'), spec.os.name, ['linux', 'windows']));
  }
  return errs;
}

/** validatePodTemplateSpec checks the template of a controller (ValidatePodTemplateSpec). */
export function validatePodTemplateSpec(template: PodTemplateSpec, path: string): FieldError[] {
  const errs = [
    ...validateLabels(template.metadata.labels, field.child(path, 'metadata', 'labels')),
    ...validateAnnotations(template.metadata.annotations, field.child(path, 'metadata', 'annotations')),
    ...validatePodSpec(template.spec, field.child(path, 'spec')),
  ];
  if (template.spec.ephemeralContainers?.length) {
    errs.push(
      field.forbidden(
        field.child(path, 'spec', 'ephemeralContainers'),
        'ephemeral containers not allowed in pod template',
      ),
    );
  }
  return errs;
}

function validateImageWhitespace(containers: readonly Container[] | undefined, path: string): FieldError[] {
  return (containers ?? []).flatMap((c, i) =>
    c.image !== undefined && c.image.trim() !== c.image
      ? [
          field.invalid(
            field.child(field.index(path, i), 'image'),
            c.image,
            'must not have leading or trailing whitespace',
          ),
        ]
      : [],
  );
}

/** validatePodMetadataAndSpec is shared by create and update. */
function validatePodMetadataAndSpec(pod: Pod): FieldError[] {
  const errs = [
    ...validateObjectMeta(pod.metadata, { namespaced: true, name: nameIsDNSSubdomain }),
    ...validatePodSpec(pod.spec, 'spec'),
  ];
  // A pod without a service account cannot project its token.
  if (!pod.spec.serviceAccountName) {
    (pod.spec.volumes ?? []).forEach((v, vi) => {
      (v.projected?.sources ?? []).forEach((s, si) => {
        if (s.serviceAccountToken) {
          const p = `spec.volumes[${vi}].projected.sources[${si}].serviceAccountToken`;
          errs.push(field.forbidden(p, 'must not be specified when serviceAccountName is not set'));
        }
      });
    });
  }
  return errs;
}

export function validatePod(pod: Pod): FieldError[] {
  const errs = validatePodMetadataAndSpec(pod);
  if (pod.spec.ephemeralContainers?.length)
    errs.push(field.forbidden('spec.ephemeralContainers', 'cannot be set on create'));
  if (pod.spec.nodeName && pod.spec.schedulingGates?.length) {
    errs.push(field.forbidden('spec.nodeName', 'cannot be set until all schedulingGates have been cleared'));
  }
  errs.push(...validateImageWhitespace(pod.spec.containers, 'spec.containers'));
  errs.push(...validateImageWhitespace(pod.spec.initContainers, 'spec.initContainers'));
  return errs;
}

/** The fields of a running pod that may change, as Kubernetes lists them in its error. */
const updatablePodSpecFields = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

function validateContainerUpdates(
  next: readonly Container[] | undefined,
  old: readonly Container[] | undefined,
  path: string,
): { errors: FieldError[]; stop: boolean } {
  if ((next?.length ?? 0) !== (old?.length ?? 0)) {
    return { errors: [field.forbidden(path, 'pod updates may not add or remove containers')], stop: true };
  }
  const errors = (next ?? []).flatMap((c, i) => {
    const imagePath = field.child(field.index(path, i), 'image');
    if (!c.image) return [field.required(imagePath)];
    return c.image.trim() === c.image
      ? []
      : [field.invalid(imagePath, c.image, 'must not have leading or trailing whitespace')];
  });
  return { errors, stop: false };
}

/** validateOnlyAddedTolerations: existing tolerations stay, except that their tolerationSeconds may change. */
function validateOnlyAddedTolerations(
  next: readonly Toleration[] | undefined,
  old: readonly Toleration[] | undefined,
  path: string,
): FieldError[] {
  for (const o of old ?? []) {
    const kept = (next ?? []).some((n) => semanticEqual({ ...o, tolerationSeconds: n.tolerationSeconds }, n));
    if (!kept)
      return [field.forbidden(path, 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(next, path);
}

/**
 * specDiff lists what changed between two specs, one path per line (Kubernetes prints a cmp.Diff
 * of the whole spec here; this is a shorter rendering of the same information).
 */
function specDiff(old: unknown, next: unknown, path = 'spec'): string[] {
  if (semanticEqual(old, next)) return [];
  const isObj = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (Array.isArray(old) && Array.isArray(next) && old.length === next.length) {
    return old.flatMap((o, i) => specDiff(o, next[i], `${path}[${i}]`));
  }
  if (isObj(old) && isObj(next)) {
    return [...new Set([...Object.keys(old), ...Object.keys(next)])].flatMap((k) =>
      specDiff(old[k], next[k], `${path}.${k}`),
    );
  }
  return [`- ${path}: ${JSON.stringify(old) ?? 'null'}`, `+ ${path}: ${JSON.stringify(next) ?? 'null'}`];
}

export function validatePodUpdate(pod: Pod, old: Pod): FieldError[] {
  const errs = [...validateObjectMetaUpdate(pod.metadata, old.metadata), ...validatePodMetadataAndSpec(pod)];
  for (const name of ['containers', 'initContainers'] as const) {
    const r = validateContainerUpdates(pod.spec[name], old.spec[name], `spec.${name}`);
    errs.push(...r.errors);
    if (r.stop) return errs;
  }
  const deadline = pod.spec.activeDeadlineSeconds;
  const oldDeadline = old.spec.activeDeadlineSeconds;
  if (deadline !== undefined) {
    if (deadline < 0 || deadline > maxInt32) {
      return [
        ...errs,
        field.invalid('spec.activeDeadlineSeconds', deadline, inclusiveRangeError(0, maxInt32)),
      ];
    }
    if (oldDeadline !== undefined && oldDeadline < deadline) {
      return [
        ...errs,
        field.invalid('spec.activeDeadlineSeconds', deadline, 'must be less than or equal to previous value'),
      ];
    }
  } else if (oldDeadline !== undefined) {
    errs.push(
      field.invalid(
        'spec.activeDeadlineSeconds',
        null,
        'must not update from a positive integer to nil value',
      ),
    );
  }
  errs.push(...validateOnlyAddedTolerations(pod.spec.tolerations, old.spec.tolerations, 'spec.tolerations'));
  const oldGates = new Set((old.spec.schedulingGates ?? []).map((g) => g.name));
  const addedGate = (pod.spec.schedulingGates ?? []).find((g) => !oldGates.has(g.name));
  if (addedGate)
    errs.push(
      field.forbidden(
        'spec.schedulingGates',
        `only deletion is allowed, but found new scheduling gate '${addedGate.name}'`,
      ),
    );
  if (semanticEqual(pod.spec, old.spec)) return errs;

  // Put back every field that may change; anything still different was not allowed to.
  const munged = structuredClone(pod.spec);
  munged.containers.forEach((c, i) => {
    c.image = old.spec.containers[i]?.image;
  });
  munged.initContainers?.forEach((c, i) => {
    c.image = old.spec.initContainers?.[i]?.image;
  });
  munged.activeDeadlineSeconds = old.spec.activeDeadlineSeconds;
  munged.schedulingGates = old.spec.schedulingGates;
  munged.tolerations = old.spec.tolerations;
  const oldGrace = old.spec.terminationGracePeriodSeconds;
  if (oldGrace !== undefined && oldGrace < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = oldGrace;
  }
  if (!semanticEqual(munged, old.spec)) {
    const diff = specDiff(old.spec, munged).join('\n');
    errs.push(
      field.forbidden(
        'spec',
        `pod updates may not change fields other than ${updatablePodSpecFields.join(',')}\n${diff}`,
      ),
    );
  }
  return errs;
}
