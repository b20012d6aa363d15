/** selfsubjectreviews: `kubectl auth whoami` asks who the server takes the caller to be; nothing is stored. */
import { selfSubjectReviews as resource } from '../../../api/authentication/register.ts';
import type { SelfSubjectReview } from '../../../api/authentication/self-subject-review.ts';
import { sendJSON } from '../../http.ts';
import { methodNotSupported } from '../../status.ts';
import type { ResourceRegistration, SubresourceHandler } from '../registration.ts';

const selfSubjectReview: SubresourceHandler<SelfSubjectReview> = async (ctx) => {
  if (ctx.info.verb !== 'create') throw methodNotSupported();
  await ctx.body();
  const { username, uid, groups, extra } = ctx.user;
  sendJSON(ctx.res, 201, {
    kind: 'SelfSubjectReview',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { creationTimestamp: null },
    status: { userInfo: { username, ...(uid ? { uid } : {}), groups, ...(extra ? { extra } : {}) } },
  });
};

export const selfSubjectReviews: ResourceRegistration<SelfSubjectReview> = {
  resource,
  create: selfSubjectReview,
};
