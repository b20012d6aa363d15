/** core/v1 Namespace: a scope for names, and the unit of deletion for everything inside it. */
import type { z } from 'zod';
import { objectFields } from '../meta.ts';
import { always, apiPackage, listOf, optional, required, str, strings, Time } from '../schema.ts';

const core = apiPackage('io.k8s.api.core.v1');

export const NamespaceSpec = core.struct('NamespaceSpec', 'Desired state of a namespace.', {
  finalizers: optional(
    strings,
    'Work that must finish before the namespace is removed; kubernetes by default.',
  ),
});

export const NamespaceCondition = core.struct('NamespaceCondition', 'One aspect of namespace state.', {
  type: required(str, 'e.g. NamespaceDeletionContentFailure.'),
  status: required(str, 'True, False or Unknown.'),
  lastTransitionTime: optional(Time, 'When the status last changed.'),
  reason: optional(str, 'One-word CamelCase reason.'),
  message: optional(str, 'Human-readable detail.'),
});

export const NamespaceStatus = core.struct('NamespaceStatus', 'Observed state of a namespace.', {
  phase: optional(str, 'Active, or Terminating while its contents are deleted.'),
  conditions: optional(listOf(NamespaceCondition), 'Current conditions.'),
});

export const Namespace = core.kind(
  { group: '', version: 'v1', kind: 'Namespace' },
  'A scope for object names; deleting it deletes everything in it.',
  {
    ...objectFields('Standard object metadata.'),
    spec: always(NamespaceSpec, 'Desired state.'),
    status: always(NamespaceStatus, 'Observed state.'),
  },
);
export type Namespace = z.infer<typeof Namespace>;
