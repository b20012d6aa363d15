/**
 * meta/v1: the fields every object shares (TypeMeta, ObjectMeta), list metadata, owner
 * references, label selectors, the Status error shape, conditions and delete options.
 */
import type { z } from 'zod';
import {
  always,
  apiPackage,
  bool,
  int32,
  int64,
  listOf,
  opaque,
  optional,
  required,
  str,
  stringMap,
  strings,
  Time,
} from './schema.ts';

const meta = apiPackage('io.k8s.apimachinery.pkg.apis.meta.v1');

export const OwnerReference = meta.struct(
  'OwnerReference',
  'Points at the object that owns this one; the garbage collector deletes dependents of a deleted owner.',
  {
    apiVersion: required(str, 'API version of the owner, e.g. apps/v1.'),
    kind: required(str, 'Kind of the owner, e.g. ReplicaSet.'),
    name: required(str, 'Name of the owner.'),
    uid: required(str, 'UID of the owner; a new object with the same name is a different owner.'),
    controller: optional(bool, 'True for the one owner that manages this object.'),
    blockOwnerDeletion: optional(
      bool,
      'With foreground deletion, the owner is not removed from storage until this object is gone.',
    ),
  },
);
export type OwnerReference = z.infer<typeof OwnerReference>;

export const ManagedFieldsEntry = meta.struct(
  'ManagedFieldsEntry',
  'Records which manager last set which fields (server-side apply bookkeeping; stored, not acted on here).',
  {
    manager: optional(str, 'Name of the client that made the change, e.g. kubectl-client-side-apply.'),
    operation: optional(str, 'Apply or Update.'),
    apiVersion: optional(str, 'API version the fields are described in.'),
    time: optional(Time, 'When the entry was last changed.'),
    fieldsType: optional(str, 'Format of fieldsV1; always FieldsV1.'),
    fieldsV1: optional(opaque, 'The set of fields, as a trie of f:, k:, v: and i: keys.'),
    subresource: optional(str, 'Subresource the change came through, such as status.'),
  },
);

export const ObjectMeta = meta.struct(
  'ObjectMeta',
  'Metadata every persisted object has: identity, labels, annotations, ownership and lifecycle stamps.',
  {
    name: optional(str, 'Unique name within the namespace (or the cluster, for cluster-scoped kinds).'),
    generateName: optional(str, 'Prefix from which the server makes a unique name when name is empty.'),
    namespace: optional(str, 'Namespace the object lives in; empty for cluster-scoped objects.'),
    selfLink: optional(str, 'Deprecated and never set.'),
    uid: optional(str, 'Unique ID the server assigns at creation; never reused.'),
    resourceVersion: optional(
      str,
      'Opaque version of this object, changed on every write; used for optimistic concurrency and watches.',
    ),
    generation: optional(int64, 'Counts changes to the desired state (spec); set by the server.'),
    creationTimestamp: optional(Time, 'When the server created the object.'),
    deletionTimestamp: optional(
      Time,
      'When deletion was requested; the object goes once its finalizers are done.',
    ),
    deletionGracePeriodSeconds: optional(int64, 'Seconds the object is given to terminate gracefully.'),
    labels: optional(stringMap, 'Key/value pairs that selectors match on.'),
    annotations: optional(stringMap, 'Key/value pairs for tools and people; not used for selection.'),
    ownerReferences: optional(listOf(OwnerReference), 'Objects this one depends on.'),
    finalizers: optional(strings, 'Work that must finish before the object is removed from storage.'),
    managedFields: optional(
      listOf(ManagedFieldsEntry),
      'Field ownership records; accepted and ignored here.',
    ),
  },
);
export type ObjectMeta = z.infer<typeof ObjectMeta>;

export const ListMeta = meta.struct('ListMeta', 'Metadata of a list response.', {
  selfLink: optional(str, 'Deprecated and never set.'),
  resourceVersion: optional(str, 'Version of the store the list was read at; watch from here.'),
  continue: optional(str, 'Token to fetch the next page when the list was limited.'),
  remainingItemCount: optional(int64, 'Items left after this page, when known.'),
});
export type ListMeta = z.infer<typeof ListMeta>;

export const LabelSelectorRequirement = meta.struct(
  'LabelSelectorRequirement',
  'One rule of a label selector: a key, an operator and values.',
  {
    key: required(str, 'Label key the rule applies to.'),
    operator: required(str, 'In, NotIn, Exists or DoesNotExist.'),
    values: optional(strings, 'Values for In and NotIn; must be empty for Exists and DoesNotExist.'),
  },
);
export type LabelSelectorRequirement = z.infer<typeof LabelSelectorRequirement>;

export const LabelSelector = meta.struct(
  'LabelSelector',
  'Selects objects by labels; all rules must hold. An empty selector matches everything.',
  {
    matchLabels: optional(stringMap, 'Labels that must be present with exactly these values.'),
    matchExpressions: optional(listOf(LabelSelectorRequirement), 'Further rules, all of which must hold.'),
  },
);
export type LabelSelector = z.infer<typeof LabelSelector>;

export const Condition = meta.struct(
  'Condition',
  'One aspect of the current state, as observed by a controller.',
  {
    type: required(str, 'Condition name in CamelCase, e.g. Available.'),
    status: required(str, 'True, False or Unknown.'),
    observedGeneration: optional(int64, 'The metadata.generation the condition was computed from.'),
    lastTransitionTime: required(Time, 'When status last changed.'),
    reason: required(str, 'One-word CamelCase reason for the last transition.'),
    message: required(str, 'Human-readable detail.'),
  },
);
export type Condition = z.infer<typeof Condition>;

export const StatusCause = meta.struct('StatusCause', 'One reason a request failed, often tied to a field.', {
  reason: optional(str, 'Machine-readable cause, e.g. FieldValueRequired.'),
  message: optional(str, 'Human-readable explanation.'),
  field: optional(str, 'Path of the field at fault, e.g. spec.containers[0].image.'),
});
export type StatusCause = z.infer<typeof StatusCause>;

export const StatusDetails = meta.struct('StatusDetails', 'More about a failure: which object, and why.', {
  name: optional(str, 'Name of the object the failure concerns.'),
  group: optional(str, 'API group of that object.'),
  kind: optional(str, 'Kind (or resource) of that object.'),
  uid: optional(str, 'UID of that object, if known.'),
  causes: optional(listOf(StatusCause), 'Individual causes, e.g. one per invalid field.'),
  retryAfterSeconds: optional(int32, 'Seconds the client should wait before retrying.'),
});

export const Status = meta.struct(
  'Status',
  'Result of a request that returns no object, most often an error.',
  {
    kind: optional(str, 'Always Status.'),
    apiVersion: optional(str, 'Always v1.'),
    metadata: always(ListMeta, 'List metadata; normally empty.'),
    status: optional(str, 'Success or Failure.'),
    message: optional(str, 'Human-readable description of the result.'),
    reason: optional(str, 'Machine-readable reason, e.g. NotFound, AlreadyExists, Invalid.'),
    details: optional(StatusDetails, 'Extra data about the reason.'),
    code: optional(int32, 'HTTP status code.'),
  },
);
export type Status = z.infer<typeof Status>;

export const Preconditions = meta.struct(
  'Preconditions',
  'Conditions that must hold before a delete proceeds.',
  {
    uid: optional(str, 'The object must have this UID.'),
    resourceVersion: optional(str, 'The object must be at this resourceVersion.'),
  },
);

export const DeleteOptions = meta.struct('DeleteOptions', 'Options for a delete request.', {
  kind: optional(str, 'Always DeleteOptions.'),
  apiVersion: optional(str, 'API version of these options.'),
  gracePeriodSeconds: optional(int64, 'Seconds before the object is deleted; 0 means immediately.'),
  preconditions: optional(Preconditions, 'Must hold or the delete fails with a conflict.'),
  orphanDependents: optional(bool, 'Deprecated: use propagationPolicy Orphan.'),
  propagationPolicy: optional(str, 'What happens to dependents: Orphan, Background or Foreground.'),
  dryRun: optional(strings, 'All means check the request without persisting it.'),
  ignoreStoreReadErrorWithClusterBreakingPotential: optional(
    bool,
    'Delete an object that cannot be read from storage (a dangerous escape hatch).',
  ),
});
export type DeleteOptions = z.infer<typeof DeleteOptions>;

/** objectFields are the three fields every kind starts with: apiVersion, kind, metadata. */
export function objectFields(description: string) {
  return {
    apiVersion: optional(str, 'Version of the schema this object is written in, e.g. v1 or apps/v1.'),
    kind: optional(str, 'Kind of object this is, e.g. Pod.'),
    metadata: always(ObjectMeta, description),
  };
}

/** The part of any object that generic code (store, watch, garbage collector) relies on. */
export interface KubeObject {
  apiVersion?: string | undefined;
  kind?: string | undefined;
  metadata: ObjectMeta;
}

/** A metav1.Time as Kubernetes writes it: RFC 3339 to the second ("2024-01-02T03:04:05Z"). */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/**
 * goDuration prints a duration as Go's time.Duration.String does, which is how metav1.Duration
 * travels: 15012 ms -> "15.012s", 500 ms -> "500ms", 75 s -> "1m15s".
 */
export function goDuration(ms: number): string {
  const whole = Math.round(ms);
  if (whole === 0) return '0s';
  if (whole < 1000) return `${whole}ms`;
  const hours = Math.floor(whole / 3_600_000);
  const minutes = Math.floor((whole % 3_600_000) / 60_000);
  const millis = whole % 60_000;
  const seconds = `${Math.floor(millis / 1000)}${
    millis % 1000
      ? `.${String(millis % 1000)
          .padStart(3, '0')
          .replace(/0+$/, '')}`
      : ''
  }s`;
  if (hours) return `${hours}h${minutes}m${seconds}`;
  return minutes ? `${minutes}m${seconds}` : seconds;
}
