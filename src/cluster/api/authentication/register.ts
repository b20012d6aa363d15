/** The authentication.k8s.io/v1 resources and the TokenRequest body of serviceaccounts/token. */
import { metadataOnly } from '../fields.ts';
import { defineResource, type KindType, noDefaults } from '../resource-type.ts';
import { SelfSubjectReview } from './self-subject-review.ts';
import { TokenRequest } from './token-request.ts';

export const selfSubjectReviews = defineResource<SelfSubjectReview>({
  group: 'authentication.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectReview',
  plural: 'selfsubjectreviews',
  namespaced: false,
  verbs: ['create'],
  storagePrefix: undefined,
  schema: SelfSubjectReview,
  validate: () => [],
  fields: metadataOnly(false),
});

export const authenticationResources = [selfSubjectReviews] as const;

export const tokenRequestKind: KindType<TokenRequest> = {
  group: 'authentication.k8s.io',
  version: 'v1',
  kind: 'TokenRequest',
  schema: TokenRequest,
  defaults: noDefaults,
  validate: () => [],
};
