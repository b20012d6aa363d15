import type { Container } from './container.ts';
import type { PodSpec, PodTemplateSpec } from './pod.ts';

/**
 * Warnings for real Kubernetes pod fields the lab stores but does not act on, sent back as
 * `Warning:` headers (kube-apiserver's WarningsOnCreate/WarningsOnUpdate, pkg/api/pod/warnings.go),
 * so a learner is told rather than left wondering why, say, a securityContext changed nothing.
 * A misspelt field is a different matter: decoding reports it as an unknown field.
 */

const NOT_ACTED = 'the lab accepts this field but does not act on it';

/** Volume sources the lab's kubelet mounts; any other source is stored but never mounted. */
const MOUNTED_VOLUME_SOURCES = new Set(['emptyDir', 'hostPath', 'configMap', 'secret', 'projected']);

/** Pod-level fields whose effect the lab does not reproduce, with why where it helps. */
const UNACTED_POD_FIELDS: readonly (readonly [keyof PodSpec, string])[] = [
  ['hostNetwork', 'pods always get their own IP in the lab'],
  ['hostPID', NOT_ACTED],
  ['hostIPC', NOT_ACTED],
  ['shareProcessNamespace', NOT_ACTED],
  ['hostAliases', NOT_ACTED],
  ['dnsConfig', NOT_ACTED],
  ['readinessGates', NOT_ACTED],
  ['runtimeClassName', NOT_ACTED],
  ['topologySpreadConstraints', 'the lab scheduler has no PodTopologySpread plugin'],
  ['resourceClaims', NOT_ACTED],
  ['hostUsers', NOT_ACTED],
];

const UNACTED_CONTAINER_FIELDS: readonly (readonly [keyof Container, string])[] = [
  ['securityContext', NOT_ACTED],
  ['lifecycle', NOT_ACTED],
  ['volumeDevices', NOT_ACTED],
];

/** The warnings for one pod spec at `path` (spec, or spec.template.spec in a controller). */
export function podSpecWarnings(spec: PodSpec, path: string): string[] {
  const warnings: string[] = [];
  const warn = (field: string, why: string) => warnings.push(`${path}.${field}: ${why}`);
  for (const [field, why] of UNACTED_POD_FIELDS) {
    if (isSet(spec[field])) warn(field, why);
  }
  if (spec.securityContext && Object.keys(spec.securityContext).length > 0)
    warn('securityContext', NOT_ACTED);
  if (spec.affinity?.podAffinity)
    warn('affinity.podAffinity', 'the lab scheduler has no InterPodAffinity plugin');
  if (spec.affinity?.podAntiAffinity) {
    warn('affinity.podAntiAffinity', 'the lab scheduler has no InterPodAffinity plugin');
  }
  spec.volumes?.forEach((volume, i) => {
    for (const source of Object.keys(volume)) {
      if (source !== 'name' && !MOUNTED_VOLUME_SOURCES.has(source)) {
        warn(
          `volumes[${i}].${source}`,
          `the lab mounts only ${[...MOUNTED_VOLUME_SOURCES].join(', ')} volumes`,
        );
      }
    }
  });
  const containers: [string, Container[] | undefined][] = [
    ['initContainers', spec.initContainers],
    ['containers', spec.containers],
  ];
  for (const [list, items] of containers) {
    items?.forEach((container, i) => {
      for (const [field, why] of UNACTED_CONTAINER_FIELDS) {
        if (isSet(container[field])) warn(`${list}[${i}].${field}`, why);
      }
    });
  }
  return warnings;
}

export const podWarnings = (pod: { spec?: PodSpec }): string[] =>
  pod.spec ? podSpecWarnings(pod.spec, 'spec') : [];

/** For ReplicaSets, ReplicationControllers and Deployments: the warnings of their pod template. */
export const podTemplateWarnings = (obj: { spec?: { template?: PodTemplateSpec } }): string[] =>
  obj.spec?.template?.spec ? podSpecWarnings(obj.spec.template.spec, 'spec.template.spec') : [];

function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  if (Array.isArray(value)) return value.length > 0;
  return true;
}
