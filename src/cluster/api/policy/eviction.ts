/** policy/v1 Eviction: a polite delete of a pod, posted to pods/<name>/eviction (kubectl drain). */
import type { z } from 'zod';
import { DeleteOptions, objectFields } from '../meta.ts';
import { apiPackage, optional } from '../schema.ts';

const policy = apiPackage('io.k8s.api.policy.v1');

export const Eviction = policy.kind(
  { group: 'policy', version: 'v1', kind: 'Eviction' },
  'Asks to evict a pod, subject to its disruption budgets.',
  {
    ...objectFields('Name and namespace of the pod to evict.'),
    deleteOptions: optional(DeleteOptions, 'Options for the delete.'),
  },
);
export type Eviction = z.infer<typeof Eviction>;
