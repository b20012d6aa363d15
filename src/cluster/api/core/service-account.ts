/** core/v1 ServiceAccount: the identity processes in a pod use to talk to the API server. */
import type { z } from 'zod';
import { objectFields } from '../meta.ts';
import { apiPackage, bool, listOf, optional } from '../schema.ts';
import { LocalObjectReference, ObjectReference } from './references.ts';

const core = apiPackage('io.k8s.api.core.v1');

export const ServiceAccount = core.kind(
  { group: '', version: 'v1', kind: 'ServiceAccount' },
  'An identity for processes that run in pods.',
  {
    ...objectFields('Standard object metadata.'),
    secrets: optional(listOf(ObjectReference), 'Deprecated: token secrets of the account.'),
    imagePullSecrets: optional(listOf(LocalObjectReference), 'Registry credentials added to pods using it.'),
    automountServiceAccountToken: optional(bool, 'Mount an API token into pods using it.'),
  },
);
export type ServiceAccount = z.infer<typeof ServiceAccount>;
