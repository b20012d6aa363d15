/** The authorization.k8s.io/v1 resources: reviews that are answered, never stored. */
import { metadataOnly } from '../fields.ts';
import { defineResource } from '../resource-type.ts';
import { SelfSubjectAccessReview } from './self-subject-access-review.ts';
import { SelfSubjectRulesReview } from './self-subject-rules-review.ts';
import { validateSelfSubjectAccessReview } from './validation.ts';

export const selfSubjectAccessReviews = defineResource<SelfSubjectAccessReview>({
  group: 'authorization.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectAccessReview',
  plural: 'selfsubjectaccessreviews',
  namespaced: false,
  verbs: ['create'],
  storagePrefix: undefined,
  schema: SelfSubjectAccessReview,
  validate: validateSelfSubjectAccessReview,
  fields: metadataOnly(false),
});

export const selfSubjectRulesReviews = defineResource<SelfSubjectRulesReview>({
  group: 'authorization.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectRulesReview',
  plural: 'selfsubjectrulesreviews',
  namespaced: false,
  verbs: ['create'],
  storagePrefix: undefined,
  schema: SelfSubjectRulesReview,
  validate: () => [],
  fields: metadataOnly(false),
});

export const authorizationResources = [selfSubjectAccessReviews, selfSubjectRulesReviews] as const;
