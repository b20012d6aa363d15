/**
 * Field selectors (`kubectl get pods --field-selector spec.nodeName=node-1,status.phase!=Running`),
 * after apimachinery's fields package: parsing with its escapes (\, \= \\), matching against the
 * fields a kind exposes, and the per-kind lists of supported fields with Kubernetes' error for
 * any other: `field label not supported: foo`.
 */

import type { ReplicaSet } from './apps/replica-set.ts';
import type { Secret } from './core/config.ts';
import type { Event } from './core/event.ts';
import type { Namespace } from './core/namespace.ts';
import type { Node } from './core/node.ts';
import type { Pod } from './core/pod.ts';
import type { ReplicationController } from './core/replication-controller.ts';
import type { Service } from './core/service.ts';
import type { KubeObject } from './meta.ts';

export interface FieldRequirement {
  readonly field: string;
  readonly operator: '=' | '!=';
  readonly value: string;
}

export class FieldSelectorError extends Error {
  override readonly name = 'FieldSelectorError';
}

/** The fields of one object a selector can test, by name: {"spec.nodeName": "node-1", ...}. */
export type FieldSet = Readonly<Record<string, string>>;

export class FieldSelector {
  constructor(readonly requirements: readonly FieldRequirement[]) {}

  empty(): boolean {
    return this.requirements.length === 0;
  }

  /** A missing field reads as "", as fields.Set.Get does. */
  matches(fields: FieldSet): boolean {
    return this.requirements.every((r) => ((fields[r.field] ?? '') === r.value) === (r.operator === '='));
  }

  /** requiresExactMatch returns the value a field must equal, if the selector pins it (for cheap lookups). */
  requiresExactMatch(name: string): string | undefined {
    return this.requirements.find((r) => r.field === name && r.operator === '=')?.value;
  }

  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator}${escapeValue(r.value)}`).join(',');
  }
}

/** splitTerms splits on commas that are not escaped with a backslash. */
function splitTerms(selector: string): string[] {
  if (!selector) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

/** splitTerm finds the first operator, trying != then == then = at each position. */
function splitTerm(term: string): [string, '!=' | '==' | '=', string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '='] as const) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

function unescapeValue(s: string): string {
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') {
        throw new FieldSelectorError(`invalid field selector: invalid escape sequence: \\${c}`);
      }
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      // Go prints the rune as a number here.
      throw new FieldSelectorError(
        `invalid field selector: unescaped character in value: ${c.codePointAt(0)}`,
      );
    } else {
      out += c;
    }
  }
  if (inSlash) throw new FieldSelectorError('invalid field selector: invalid escape sequence: \\');
  return out;
}

function escapeValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** parseFieldSelector reads a field selector; terms are kept sorted, as Kubernetes sorts them. Throws FieldSelectorError. */
export function parseFieldSelector(selector: string): FieldSelector {
  const requirements: FieldRequirement[] = [];
  for (const term of splitTerms(selector).sort()) {
    if (!term) continue;
    const parts = splitTerm(term);
    if (!parts) throw new FieldSelectorError(`invalid selector: '${selector}'; can't understand '${term}'`);
    const [lhs, op, rhs] = parts;
    requirements.push({ field: lhs, operator: op === '!=' ? '!=' : '=', value: unescapeValue(rhs) });
  }
  return new FieldSelector(requirements);
}

/** What field selectors a kind supports, and how to read those fields from an object. */
export interface SelectableFields<T> {
  /** Field labels the kind accepts; any other is "field label not supported". */
  readonly labels: readonly string[];
  /** Old names that still work, mapped to the current ones (Pod spec.host -> spec.nodeName). */
  readonly aliases?: Readonly<Record<string, string>>;
  fieldSet(obj: T): FieldSet;
}

/**
 * convertFieldSelector checks a selector against a kind's supported fields and rewrites old names,
 * as the API server's field label conversion does before a list or watch.
 */
export function convertFieldSelector<T>(selector: FieldSelector, kind: SelectableFields<T>): FieldSelector {
  return new FieldSelector(
    selector.requirements.map((r) => {
      const name = kind.aliases?.[r.field] ?? r.field;
      if (!kind.labels.includes(name)) {
        throw new FieldSelectorError(`field label not supported: ${r.field}`);
      }
      return { ...r, field: name };
    }),
  );
}

/** objectMetaFields are the fields every kind exposes: its name, and its namespace when it has one. */
export function objectMetaFields(obj: KubeObject, namespaced: boolean): Record<string, string> {
  const fields: Record<string, string> = { 'metadata.name': obj.metadata.name ?? '' };
  if (namespaced) fields['metadata.namespace'] = obj.metadata.namespace ?? '';
  return fields;
}

const metaLabels = ['metadata.name', 'metadata.namespace'];

/** metadataOnly is what a kind without field selectors of its own supports. */
export function metadataOnly(namespaced: boolean): SelectableFields<KubeObject> {
  return { labels: metaLabels, fieldSet: (obj) => objectMetaFields(obj, namespaced) };
}

export const podFields: SelectableFields<Pod> = {
  labels: [
    ...metaLabels,
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.podIPs',
    'status.nominatedNodeName',
  ],
  aliases: { 'spec.host': 'spec.nodeName' },
  fieldSet: (pod) => ({
    ...objectMetaFields(pod, true),
    'spec.nodeName': pod.spec.nodeName ?? '',
    'spec.restartPolicy': pod.spec.restartPolicy ?? '',
    'spec.schedulerName': pod.spec.schedulerName ?? '',
    'spec.serviceAccountName': pod.spec.serviceAccountName ?? '',
    'spec.hostNetwork': String(pod.spec.hostNetwork ?? false),
    'status.phase': pod.status.phase ?? '',
    'status.podIP': pod.status.podIPs?.[0]?.ip ?? '',
    'status.nominatedNodeName': pod.status.nominatedNodeName ?? '',
  }),
};

export const nodeFields: SelectableFields<Node> = {
  labels: [...metaLabels, 'spec.unschedulable'],
  fieldSet: (node) => ({
    ...objectMetaFields(node, false),
    'spec.unschedulable': String(node.spec.unschedulable ?? false),
  }),
};

export const namespaceFields: SelectableFields<Namespace> = {
  labels: ['metadata.name', 'status.phase'],
  fieldSet: (ns) => ({ ...objectMetaFields(ns, false), 'status.phase': ns.status.phase ?? '' }),
};

export const secretFields: SelectableFields<Secret> = {
  labels: [...metaLabels, 'type'],
  fieldSet: (secret) => ({ ...objectMetaFields(secret, true), type: secret.type ?? '' }),
};

export const serviceFields: SelectableFields<Service> = {
  labels: [...metaLabels, 'spec.clusterIP', 'spec.type'],
  fieldSet: (svc) => ({
    ...objectMetaFields(svc, true),
    'spec.clusterIP': svc.spec.clusterIP ?? '',
    'spec.type': svc.spec.type ?? '',
  }),
};

/** kubectl describe finds an object's events with involvedObject.name, .namespace and .uid. */
export const eventFields: SelectableFields<Event> = {
  labels: [
    ...metaLabels,
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  fieldSet: (e) => ({
    ...objectMetaFields(e, true),
    'involvedObject.kind': e.involvedObject.kind ?? '',
    'involvedObject.namespace': e.involvedObject.namespace ?? '',
    'involvedObject.name': e.involvedObject.name ?? '',
    'involvedObject.uid': e.involvedObject.uid ?? '',
    'involvedObject.apiVersion': e.involvedObject.apiVersion ?? '',
    'involvedObject.resourceVersion': e.involvedObject.resourceVersion ?? '',
    'involvedObject.fieldPath': e.involvedObject.fieldPath ?? '',
    reason: e.reason ?? '',
    reportingComponent: e.reportingComponent ?? '',
    source: e.source.component || e.reportingComponent || '',
    type: e.type ?? '',
  }),
};

/** Replica counts as strings, so `status.replicas=0` finds scaled-down controllers. */
export const replicasFields: SelectableFields<ReplicationController | ReplicaSet> = {
  labels: [...metaLabels, 'status.replicas'],
  fieldSet: (obj) => ({
    ...objectMetaFields(obj, true),
    'status.replicas': String(obj.status.replicas ?? 0),
  }),
};
