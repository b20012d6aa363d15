/** core/v1 references from one object to another. */
import type { z } from 'zod';
import { apiPackage, optional, required, str } from '../schema.ts';

const core = apiPackage('io.k8s.api.core.v1');

export const ObjectReference = core.struct('ObjectReference', 'A full reference to another object.', {
  kind: optional(str, 'Kind of the referent, e.g. Pod.'),
  namespace: optional(str, 'Namespace of the referent.'),
  name: optional(str, 'Name of the referent.'),
  uid: optional(str, 'UID of the referent.'),
  apiVersion: optional(str, 'API version of the referent.'),
  resourceVersion: optional(str, 'Specific version of the referent, if one is meant.'),
  fieldPath: optional(str, 'Part of the referent meant, e.g. spec.containers{web}.'),
});
export type ObjectReference = z.infer<typeof ObjectReference>;

export const LocalObjectReference = core.struct(
  'LocalObjectReference',
  'Names another object in the same namespace.',
  {
    name: optional(str, 'Name of the referent.'),
  },
);
export type LocalObjectReference = z.infer<typeof LocalObjectReference>;

export const TypedLocalObjectReference = core.struct(
  'TypedLocalObjectReference',
  'Names an object of any kind in the same namespace.',
  {
    apiGroup: optional(str, 'API group of the referent; empty for the core group.'),
    kind: required(str, 'Kind of the referent.'),
    name: required(str, 'Name of the referent.'),
  },
);
