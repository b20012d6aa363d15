/** authorization.k8s.io/v1 SelfSubjectAccessReview: "may I do this?" (kubectl auth can-i). */
import type { z } from 'zod';
import { LabelSelectorRequirement, objectFields } from '../meta.ts';
import { always, apiPackage, bool, listOf, optional, required, str, strings, zero } from '../schema.ts';

const authorization = apiPackage('io.k8s.api.authorization.v1');

export const FieldSelectorRequirement = apiPackage('io.k8s.apimachinery.pkg.apis.meta.v1').struct(
  'FieldSelectorRequirement',
  'One rule of a field selector.',
  {
    key: required(str, 'Field path.'),
    operator: required(str, 'In, NotIn, Exists or DoesNotExist.'),
    values: optional(strings, 'Values for In and NotIn.'),
  },
);

export const FieldSelectorAttributes = authorization.struct(
  'FieldSelectorAttributes',
  'A field selector the request is limited by.',
  {
    rawSelector: optional(str, 'The selector as written in a query string.'),
    requirements: optional(listOf(FieldSelectorRequirement), 'The selector, parsed.'),
  },
);

export const LabelSelectorAttributes = authorization.struct(
  'LabelSelectorAttributes',
  'A label selector the request is limited by.',
  {
    rawSelector: optional(str, 'The selector as written in a query string.'),
    requirements: optional(listOf(LabelSelectorRequirement), 'The selector, parsed.'),
  },
);

export const ResourceAttributes = authorization.struct(
  'ResourceAttributes',
  'A request on an API resource.',
  {
    namespace: optional(str, 'Namespace; empty means all namespaces.'),
    verb: optional(str, 'get, list, watch, create, update, patch, delete, deletecollection, or *.'),
    group: optional(str, 'API group; * for all.'),
    version: optional(str, 'API version; * for all.'),
    resource: optional(str, 'Resource, e.g. pods; * for all.'),
    subresource: optional(str, 'Subresource, e.g. log.'),
    name: optional(str, 'Object name; empty means all.'),
    fieldSelector: optional(FieldSelectorAttributes, 'Field selector of a list or watch.'),
    labelSelector: optional(LabelSelectorAttributes, 'Label selector of a list or watch.'),
  },
);

export const NonResourceAttributes = authorization.struct(
  'NonResourceAttributes',
  'A request on a plain URL path.',
  {
    path: optional(str, 'URL path, e.g. /healthz.'),
    verb: optional(str, 'HTTP verb in lower case, e.g. get.'),
  },
);

export const SelfSubjectAccessReviewSpec = authorization.struct(
  'SelfSubjectAccessReviewSpec',
  'The request to check; exactly one of the two.',
  {
    resourceAttributes: optional(ResourceAttributes, 'A resource request.'),
    nonResourceAttributes: optional(NonResourceAttributes, 'A URL path request.'),
  },
);

export const SubjectAccessReviewStatus = authorization.struct('SubjectAccessReviewStatus', 'The answer.', {
  allowed: zero(bool, false, 'Whether the request would be allowed.'),
  denied: optional(bool, 'Whether it is explicitly denied (not just not allowed).'),
  reason: optional(str, 'Why.'),
  evaluationError: optional(str, 'A problem met while deciding.'),
});

export const SelfSubjectAccessReview = authorization.kind(
  { group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectAccessReview' },
  'Asks whether the caller may perform an action; the answer comes back in status.',
  {
    ...objectFields('Standard object metadata; must be empty.'),
    spec: required(SelfSubjectAccessReviewSpec, 'The action to check.'),
    status: always(SubjectAccessReviewStatus, 'The answer, filled in by the server.'),
  },
);
export type SelfSubjectAccessReview = z.infer<typeof SelfSubjectAccessReview>;
