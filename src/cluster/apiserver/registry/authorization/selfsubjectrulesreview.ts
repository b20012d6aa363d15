/** selfsubjectrulesreviews: `kubectl auth can-i --list` asks what the caller may do; nothing is stored. */
import { selfSubjectRulesReviews as resource } from '../../../api/authorization/register.ts';
import type { SelfSubjectRulesReview } from '../../../api/authorization/self-subject-rules-review.ts';
import { sendJSON } from '../../http.ts';
import { methodNotSupported } from '../../status.ts';
import { decodeKind } from '../decode-kind.ts';
import type { ResourceRegistration, SubresourceHandler } from '../registration.ts';

const selfSubjectRulesReview: SubresourceHandler<SelfSubjectRulesReview> = async (ctx, deps) => {
  if (ctx.info.verb !== 'create') throw methodNotSupported();
  const review = decodeKind(resource, (await ctx.body()) ?? {}, ctx.scope.fieldValidation).obj;
  const { rules, evaluationError } = deps.rulesFor(ctx.user, review.spec.namespace ?? '');
  sendJSON(ctx.res, 201, {
    kind: 'SelfSubjectRulesReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec: review.spec,
    status: {
      resourceRules: rules
        .filter((rule) => rule.resources?.length)
        .map(({ verbs, apiGroups, resources, resourceNames }) => ({
          verbs,
          apiGroups,
          resources,
          resourceNames,
        })),
      nonResourceRules: rules
        .filter((rule) => rule.nonResourceURLs?.length)
        .map(({ verbs, nonResourceURLs }) => ({ verbs, nonResourceURLs })),
      incomplete: evaluationError !== undefined,
      ...(evaluationError ? { evaluationError } : {}),
    },
  });
};

export const selfSubjectRulesReviews: ResourceRegistration<SelfSubjectRulesReview> = {
  resource,
  create: selfSubjectRulesReview,
};
