/** selfsubjectaccessreviews: `kubectl auth can-i` asks the authorizer about the caller; nothing is stored. */
import { selfSubjectAccessReviews as resource } from '../../../api/authorization/register.ts';
import type { SelfSubjectAccessReview } from '../../../api/authorization/self-subject-access-review.ts';
import { sendJSON } from '../../http.ts';
import { invalid, methodNotSupported } from '../../status.ts';
import type { ResourceRegistration, SubresourceHandler } from '../registration.ts';

interface ResourceAttributesBody {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

/**
 * The review's spec is read as sent, not decoded: kube-apiserver answers a review whose attributes
 * are missing with its own 422, which names exactly one of the two kinds of attributes.
 */
const selfSubjectAccessReview: SubresourceHandler<SelfSubjectAccessReview> = async (ctx, deps) => {
  if (ctx.info.verb !== 'create') throw methodNotSupported();
  // A JSON null decodes as an empty review, which then lacks its attributes.
  const review = ((await ctx.body()) ?? {}) as {
    spec?: {
      resourceAttributes?: ResourceAttributesBody;
      nonResourceAttributes?: { path?: string; verb?: string };
    };
  };
  const resourceAttributes = review.spec?.resourceAttributes;
  const nonResource = review.spec?.nonResourceAttributes;
  if (!resourceAttributes && !nonResource) {
    throw invalid('authorization.k8s.io', 'SelfSubjectAccessReview', '', [
      {
        reason: 'FieldValueRequired',
        message:
          'Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified',
        field: 'spec.resourceAttributes',
      },
    ]);
  }
  const decision = deps.authorize(
    resourceAttributes
      ? {
          user: ctx.user,
          verb: resourceAttributes.verb ?? '',
          isResourceRequest: true,
          path: '',
          apiGroup: resourceAttributes.group ?? '',
          apiVersion: resourceAttributes.version ?? '',
          resource: resourceAttributes.resource ?? '',
          subresource: resourceAttributes.subresource ?? '',
          namespace: resourceAttributes.namespace ?? '',
          name: resourceAttributes.name ?? '',
        }
      : {
          user: ctx.user,
          verb: nonResource?.verb ?? '',
          isResourceRequest: false,
          path: nonResource?.path ?? '',
        },
  );
  sendJSON(ctx.res, 201, {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec: review.spec,
    status: {
      allowed: decision.decision === 'Allow',
      ...(decision.reason ? { reason: decision.reason } : {}),
    },
  });
};

export const selfSubjectAccessReviews: ResourceRegistration<SelfSubjectAccessReview> = {
  resource,
  create: selfSubjectAccessReview,
};
