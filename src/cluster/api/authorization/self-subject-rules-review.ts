/** authorization.k8s.io/v1 SelfSubjectRulesReview: "what may I do here?" (kubectl auth can-i --list). */
import type { z } from 'zod';
import { objectFields } from '../meta.ts';
import { apiPackage, bool, listOf, optional, required, str, strings, zero } from '../schema.ts';

const authorization = apiPackage('io.k8s.api.authorization.v1');

export const ResourceRule = authorization.struct('ResourceRule', 'What the caller may do to resources.', {
  verbs: required(strings, 'Verbs allowed; * for all.'),
  apiGroups: optional(strings, 'API groups; * for all.'),
  resources: optional(strings, 'Resources; * for all, */scale for a subresource of all.'),
  resourceNames: optional(strings, 'Only objects with these names; empty means all.'),
});

export const NonResourceRule = authorization.struct(
  'NonResourceRule',
  'What the caller may do to URL paths.',
  {
    verbs: required(strings, 'Verbs allowed; * for all.'),
    nonResourceURLs: optional(strings, 'Paths, a trailing * matching any rest.'),
  },
);

export const SelfSubjectRulesReviewSpec = authorization.struct(
  'SelfSubjectRulesReviewSpec',
  'Where to list the rules.',
  { namespace: optional(str, 'Namespace to evaluate rules for.') },
);

export const SubjectRulesReviewStatus = authorization.struct('SubjectRulesReviewStatus', 'The answer.', {
  resourceRules: optional(listOf(ResourceRule), 'Rules on resources.'),
  nonResourceRules: optional(listOf(NonResourceRule), 'Rules on URL paths.'),
  incomplete: zero(bool, false, 'Whether some rules could not be evaluated.'),
  evaluationError: optional(str, 'Why the list is incomplete.'),
});

export const SelfSubjectRulesReview = authorization.kind(
  { group: 'authorization.k8s.io', version: 'v1', kind: 'SelfSubjectRulesReview' },
  'Lists what the caller may do in a namespace; the answer comes back in status.',
  {
    ...objectFields('Standard object metadata.'),
    spec: required(SelfSubjectRulesReviewSpec, 'The namespace to list the rules of.'),
    status: optional(SubjectRulesReviewStatus, 'The answer, filled in by the server.'),
  },
);
export type SelfSubjectRulesReview = z.infer<typeof SelfSubjectRulesReview>;
export type SubjectRulesReviewStatus = z.infer<typeof SubjectRulesReviewStatus>;
