/**
 * Validation of the smaller core/v1 kinds: Namespace, ConfigMap, Secret, ServiceAccount,
 * ReplicationController, Node, Endpoints, Event and Binding. Pods and Services have files of their own.
 */

import type { FieldError } from '../field-error.ts';
import * as field from '../field-error.ts';
import { selectorFromSet } from '../labels.ts';
import {
  ipError,
  isConfigMapKey,
  isValidIP,
  isValidLabelValue,
  isValidPortNum,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
} from '../names.ts';
import {
  validateDNS1123Label,
  validateFinalizers,
  validateImmutable,
  validateNonnegative,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validateQualifiedName,
} from '../validation.ts';
import type { Binding } from './binding.ts';
import type { ConfigMap, Secret } from './config.ts';
import { supportedPortProtocols } from './container-validation.ts';
import type { EndpointAddress, Endpoints } from './endpoints.ts';
import type { Event } from './event.ts';
import type { Namespace } from './namespace.ts';
import type { Node, Taint } from './node.ts';
import { taintEffects, validatePodTemplateSpec } from './pod-validation.ts';
import type { ReplicationController } from './replication-controller.ts';
import type { ServiceAccount } from './service-account.ts';

const namespaced = { namespaced: true, name: nameIsDNSSubdomain } as const;
/** Largest total size of the data of a ConfigMap or Secret: 1 MiB. */
export const maxSecretSize = 1024 * 1024;

export function validateNamespace(ns: Namespace): FieldError[] {
  return [
    ...validateObjectMeta(ns.metadata, { namespaced: false, name: nameIsDNSLabel }),
    ...validateFinalizers(ns.spec.finalizers, 'spec.finalizers'),
  ];
}

export function validateConfigMap(cm: ConfigMap): FieldError[] {
  const errs = validateObjectMeta(cm.metadata, namespaced);
  let size = 0;
  for (const [k, v] of Object.entries(cm.data ?? {})) {
    const p = field.key('data', k);
    errs.push(...isConfigMapKey(k).map((m) => field.invalid(p, k, m)));
    if (cm.binaryData && Object.hasOwn(cm.binaryData, k))
      errs.push(field.invalid(p, k, 'duplicate of key present in binaryData'));
    size += Buffer.byteLength(v);
  }
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) {
    errs.push(...isConfigMapKey(k).map((m) => field.invalid(field.key('binaryData', k), k, m)));
    size += Buffer.from(v, 'base64').length;
  }
  if (size > maxSecretSize) errs.push(field.tooLong('', maxSecretSize));
  return errs;
}

/** validateImmutableData: once `immutable: true`, neither the flag nor the data may change. */
function validateImmutableData(
  next: ConfigMap | Secret,
  old: ConfigMap | Secret,
  dataFields: readonly ('data' | 'binaryData')[],
): FieldError[] {
  if (!old.immutable) return [];
  const errs: FieldError[] = [];
  if (!next.immutable) errs.push(field.forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const name of dataFields) {
    const a = (next as Record<string, unknown>)[name];
    const b = (old as Record<string, unknown>)[name];
    if (validateImmutable(a, b, name).length)
      errs.push(field.forbidden(name, 'field is immutable when `immutable` is set'));
  }
  return errs;
}

export function validateConfigMapUpdate(cm: ConfigMap, old: ConfigMap): FieldError[] {
  return [
    ...validateObjectMetaUpdate(cm.metadata, old.metadata),
    ...validateImmutableData(cm, old, ['data', 'binaryData']),
    ...validateConfigMap(cm),
  ];
}

/** The keys each built-in secret type must carry. */
function validateSecretType(secret: Secret): FieldError[] {
  const data = secret.data ?? {};
  const has = (k: string) => Object.hasOwn(data, k);
  const requiredKey = (k: string) => field.required(field.key('data', k));
  const jsonKey = (k: string): FieldError[] => {
    if (!has(k)) return [requiredKey(k)];
    try {
      JSON.parse(Buffer.from(data[k]!, 'base64').toString('utf8'));
      return [];
    } catch (err) {
      return [field.invalid(field.key('data', k), '<secret contents redacted>', (err as Error).message)];
    }
  };
  switch (secret.type) {
    case 'kubernetes.io/service-account-token':
      return secret.metadata.annotations?.['kubernetes.io/service-account.name']
        ? []
        : [field.required(field.key('metadata.annotations', 'kubernetes.io/service-account.name'))];
    case 'kubernetes.io/dockercfg':
      return jsonKey('.dockercfg');
    case 'kubernetes.io/dockerconfigjson':
      return jsonKey('.dockerconfigjson');
    case 'kubernetes.io/basic-auth':
      return has('username') || has('password') ? [] : [requiredKey('username'), requiredKey('password')];
    case 'kubernetes.io/ssh-auth':
      return data['ssh-privatekey'] ? [] : [requiredKey('ssh-privatekey')];
    case 'kubernetes.io/tls':
      return [
        ...(has('tls.crt') ? [] : [requiredKey('tls.crt')]),
        ...(has('tls.key') ? [] : [requiredKey('tls.key')]),
      ];
    default:
      return [];
  }
}

export function validateSecret(secret: Secret): FieldError[] {
  const errs = validateObjectMeta(secret.metadata, namespaced);
  let size = 0;
  for (const [k, v] of Object.entries(secret.data ?? {})) {
    errs.push(...isConfigMapKey(k).map((m) => field.invalid(field.key('data', k), k, m)));
    size += Buffer.from(v, 'base64').length;
  }
  if (size > maxSecretSize) errs.push(field.tooLong('data', maxSecretSize));
  return [...errs, ...validateSecretType(secret)];
}

export function validateSecretUpdate(secret: Secret, old: Secret): FieldError[] {
  return [
    ...validateObjectMetaUpdate(secret.metadata, old.metadata),
    ...validateImmutable(secret.type, old.type, 'type'),
    ...validateImmutableData(secret, old, ['data']),
    ...validateSecret(secret),
  ];
}

export function validateServiceAccount(sa: ServiceAccount): FieldError[] {
  return validateObjectMeta(sa.metadata, namespaced);
}

export function validateReplicationController(rc: ReplicationController): FieldError[] {
  const errs = validateObjectMeta(rc.metadata, namespaced);
  const spec = rc.spec;
  errs.push(...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  const selector = selectorFromSet(spec.selector);
  if (selector.empty()) errs.push(field.required('spec.selector'));
  errs.push(...validateNonnegative(spec.replicas, 'spec.replicas'));
  const template = spec.template;
  if (!template) return [...errs, field.required('spec.template')];
  if (!selector.empty() && !selector.matches(template.metadata.labels)) {
    errs.push(
      field.invalid(
        'spec.template.metadata.labels',
        new field.GoValue(template.metadata.labels, field.goStringMap(template.metadata.labels)),
        '`selector` does not match template `labels`',
      ),
    );
  }
  errs.push(...validatePodTemplateSpec(template, 'spec.template'));
  if (template.spec.restartPolicy !== 'Always') {
    errs.push(
      field.notSupported('spec.template.spec.restartPolicy', template.spec.restartPolicy ?? '', ['Always']),
    );
  }
  if (template.spec.activeDeadlineSeconds !== undefined) {
    errs.push(
      field.forbidden(
        'spec.template.spec.activeDeadlineSeconds',
        'activeDeadlineSeconds in ReplicationController is not Supported',
      ),
    );
  }
  return errs;
}

export function validateReplicationControllerUpdate(
  rc: ReplicationController,
  old: ReplicationController,
): FieldError[] {
  return [...validateObjectMetaUpdate(rc.metadata, old.metadata), ...validateReplicationController(rc)];
}

/** goTaint prints a taint as Go's %#v prints core.Taint. */
function goTaint(t: Taint): field.GoValue {
  return new field.GoValue(
    t,
    `core.Taint{Key:${field.goQuote(t.key)}, Value:${field.goQuote(t.value ?? '')}, Effect:${field.goQuote(t.effect)}, TimeAdded:<nil>}`,
  );
}

/** validateNodeTaints: note that Kubernetes reports taint problems under metadata.taints, not spec.taints. */
function validateNodeTaints(taints: readonly Taint[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (taints ?? []).forEach((t, i) => {
    const p = field.index(path, i);
    errs.push(...validateQualifiedName(t.key, field.child(p, 'key')));
    const valueErrs = isValidLabelValue(t.value ?? '');
    if (valueErrs.length)
      errs.push(field.invalid(field.child(p, 'value'), t.value ?? '', valueErrs.join(';')));
    if (!t.effect) errs.push(field.required(field.child(p, 'effect')));
    else if (!taintEffects.includes(t.effect))
      errs.push(field.notSupported(field.child(p, 'effect'), t.effect, taintEffects));
    const key = `${t.effect}\u0000${t.key}`;
    if (seen.has(key))
      errs.push(field.duplicate(p, goTaint(t), 'taints must be unique by key and effect pair'));
    seen.add(key);
  });
  return errs;
}

export function validateNode(node: Node): FieldError[] {
  const errs = [
    ...validateObjectMeta(node.metadata, { namespaced: false, name: nameIsDNSSubdomain }),
    ...validateNodeTaints(node.spec.taints, 'metadata.taints'),
  ];
  (node.status.addresses ?? []).forEach((a, i) => {
    if (!a.type) errs.push(field.required(field.child(field.index('status.addresses', i), 'type')));
  });
  return errs;
}

export function validateNodeUpdate(node: Node, old: Node): FieldError[] {
  const errs = [...validateObjectMetaUpdate(node.metadata, old.metadata), ...validateNode(node)];
  const seen = new Set<string>();
  (node.status.addresses ?? []).forEach((a, i) => {
    const key = `${a.type}\u0000${a.address}`;
    if (seen.has(key))
      errs.push(
        field.duplicate(
          field.index('status.addresses', i),
          new field.GoValue(
            a,
            `core.NodeAddress{Type:${field.goQuote(a.type)}, Address:${field.goQuote(a.address)}}`,
          ),
        ),
      );
    seen.add(key);
  });
  const oldCIDRs = old.spec.podCIDRs ?? [];
  const newCIDRs = node.spec.podCIDRs ?? [];
  if (
    oldCIDRs.length > 0 &&
    (oldCIDRs.length !== newCIDRs.length || oldCIDRs.some((c, i) => c !== newCIDRs[i]))
  ) {
    errs.push(
      field.forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'),
    );
  }
  if (old.spec.providerID && old.spec.providerID !== node.spec.providerID) {
    errs.push(
      field.forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'),
    );
  }
  return errs;
}

/**
 * Addresses that can never be an endpoint: unspecified, loopback and link-local ones. The lab's pod
 * range 127.244.0.0/16 is loopback by design (process nodes share the host's network), so it is
 * the one loopback range an endpoint may point at.
 */
function specialIPError(ip: string): string | undefined {
  if (ip === '0.0.0.0' || ip === '::') return 'may not be unspecified (0.0.0.0)';
  if ((ip.startsWith('127.') && !ip.startsWith('127.244.')) || ip === '::1')
    return 'may not be in the loopback range (127.0.0.0/8, ::1/128)';
  if (ip.startsWith('169.254.') || /^fe[89ab]/i.test(ip))
    return 'may not be in the link-local range (169.254.0.0/16, fe80::/10)';
  if (ip.startsWith('224.0.0.') || /^ff02:/i.test(ip))
    return 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)';
  return undefined;
}

function validateEndpointAddress(a: EndpointAddress, path: string): FieldError[] {
  const ipPath = field.child(path, 'ip');
  const errs: FieldError[] = [];
  if (!isValidIP(a.ip)) errs.push(field.invalid(ipPath, a.ip, ipError()));
  if (a.hostname) errs.push(...validateDNS1123Label(a.hostname, field.child(path, 'hostname')));
  if (a.nodeName) {
    errs.push(
      ...nameIsDNSSubdomain(a.nodeName, false).map((m) =>
        field.invalid(field.child(path, 'nodeName'), a.nodeName, m),
      ),
    );
  }
  const special = isValidIP(a.ip) ? specialIPError(a.ip) : undefined;
  if (special) errs.push(field.invalid(ipPath, a.ip, special));
  return errs;
}

export function validateEndpoints(ep: Endpoints): FieldError[] {
  const errs = validateObjectMeta(ep.metadata, namespaced);
  (ep.subsets ?? []).forEach((ss, i) => {
    const p = field.index('subsets', i);
    if (!ss.addresses?.length && !ss.notReadyAddresses?.length) {
      errs.push(field.required(p, 'must specify `addresses` or `notReadyAddresses`'));
    }
    (ss.addresses ?? []).forEach((a, j) => {
      errs.push(...validateEndpointAddress(a, field.index(field.child(p, 'addresses'), j)));
    });
    (ss.notReadyAddresses ?? []).forEach((a, j) => {
      errs.push(...validateEndpointAddress(a, field.index(field.child(p, 'notReadyAddresses'), j)));
    });
    const ports = ss.ports ?? [];
    ports.forEach((port, j) => {
      const pp = field.index(field.child(p, 'ports'), j);
      if (ports.length > 1 && !port.name) errs.push(field.required(field.child(pp, 'name')));
      else if (port.name) errs.push(...validateDNS1123Label(port.name, field.child(pp, 'name')));
      errs.push(
        ...isValidPortNum(port.port).map((m) => field.invalid(field.child(pp, 'port'), port.port, m)),
      );
      if (!port.protocol) errs.push(field.required(field.child(pp, 'protocol')));
      else if (!supportedPortProtocols.includes(port.protocol)) {
        errs.push(field.notSupported(field.child(pp, 'protocol'), port.protocol, supportedPortProtocols));
      }
      if (port.appProtocol !== undefined)
        errs.push(...validateQualifiedName(port.appProtocol, field.child(pp, 'appProtocol')));
    });
  });
  return errs;
}

export function validateEndpointsUpdate(ep: Endpoints, old: Endpoints): FieldError[] {
  return [...validateObjectMetaUpdate(ep.metadata, old.metadata), ...validateEndpoints(ep)];
}

/** Limits on the text of events written through events.k8s.io-style fields. */
const reportingInstanceLengthLimit = 128;
const actionLengthLimit = 128;
const reasonLengthLimit = 128;
const noteLengthLimit = 1024;

/**
 * validateEvent: an old-style event (no eventTime) only has to live in its object's namespace;
 * a new-style one must also say who reported it, what it did and why.
 */
export function validateEvent(event: Event): FieldError[] {
  const errs = validateObjectMeta(event.metadata, namespaced);
  const ns = event.metadata.namespace ?? '';
  const involvedNs = event.involvedObject.namespace ?? '';
  const mismatch = field.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace');
  if (!event.eventTime) {
    if (!involvedNs ? ns !== '' && ns !== 'default' : ns !== involvedNs) errs.push(mismatch);
  } else {
    if (!involvedNs && ns !== 'default' && ns !== 'kube-system') errs.push(mismatch);
    const tooLong = (path: string, limit: number) =>
      field.invalid(path, '', `can have at most ${limit} characters`);
    const controller = event.reportingComponent ?? '';
    if (!controller) errs.push(field.required('reportingComponent'));
    errs.push(...validateQualifiedName(controller, 'reportingComponent'));
    const instance = event.reportingInstance ?? '';
    if (!instance) errs.push(field.required('reportingInstance'));
    if (instance.length > reportingInstanceLengthLimit)
      errs.push(tooLong('reportingInstance', reportingInstanceLengthLimit));
    const action = event.action ?? '';
    if (!action) errs.push(field.required('action'));
    if (action.length > actionLengthLimit) errs.push(tooLong('action', actionLengthLimit));
    const reason = event.reason ?? '';
    if (!reason) errs.push(field.required('reason'));
    if (reason.length > reasonLengthLimit) errs.push(tooLong('reason', reasonLengthLimit));
    if ((event.message ?? '').length > noteLengthLimit) errs.push(tooLong('message', noteLengthLimit));
  }
  return errs;
}

export function validateEventUpdate(event: Event, old: Event): FieldError[] {
  return [...validateObjectMetaUpdate(event.metadata, old.metadata), ...validateEvent(event)];
}

/** validateBinding: a pod can only be bound to a node, named. */
export function validateBinding(binding: Binding): FieldError[] {
  const errs: FieldError[] = [];
  const kind = binding.target.kind ?? '';
  if (kind && kind !== 'Node') errs.push(field.notSupported('target.kind', kind, ['Node', '<empty>']));
  if (!binding.target.name) errs.push(field.required('target.name'));
  return errs;
}
