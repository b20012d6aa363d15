/** authentication.k8s.io/v1 SelfSubjectReview: "who am I to this server?" (kubectl auth whoami). */
import type { z } from 'zod';
import { objectFields } from '../meta.ts';
import { apiPackage, listOf, mapOf, optional, str, strings } from '../schema.ts';

const authentication = apiPackage('io.k8s.api.authentication.v1');

export const UserInfo = authentication.struct(
  'UserInfo',
  'Who a request was made by, as authentication found it.',
  {
    username: optional(str, 'The name that identifies the user.'),
    uid: optional(str, 'A unique value that identifies the user across time.'),
    groups: optional(strings, 'The groups the user belongs to.'),
    extra: optional(mapOf(listOf(str)), 'Anything else the authenticator recorded.'),
  },
);

export const SelfSubjectReviewStatus = authentication.struct('SelfSubjectReviewStatus', 'The answer.', {
  userInfo: optional(UserInfo, 'The caller, as the server authenticated it.'),
});

export const SelfSubjectReview = authentication.kind(
  { group: 'authentication.k8s.io', version: 'v1', kind: 'SelfSubjectReview' },
  'Asks the server who the caller is; the answer comes back in status.',
  {
    ...objectFields('Standard object metadata.'),
    status: optional(SelfSubjectReviewStatus, 'The answer, filled in by the server.'),
  },
);
export type SelfSubjectReview = z.infer<typeof SelfSubjectReview>;
