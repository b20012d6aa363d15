import { type Attributes, forbiddenStatus } from '../authz/attributes.ts';
import type { AuthorizationDecision } from '../authz/rbac.ts';
import { StatusError } from '../status.ts';
import type { Handler } from './context.ts';

/**
 * withAuthorization asks the authorizer (RBAC, authz/rbac.ts) whether the user may do what the
 * request asks, and refuses it with a 403 in Kubernetes' words when no rule allows it. The verdict
 * goes into the audit record.
 */
export function withAuthorization(
  next: Handler,
  authorize: (attributes: Attributes) => AuthorizationDecision,
): Handler {
  return (ctx) => {
    const { info, user } = ctx;
    const attributes: Attributes = {
      user,
      verb: info.verb,
      isResourceRequest: info.isResourceRequest,
      path: info.path,
      apiGroup: info.apiGroup,
      apiVersion: info.apiVersion,
      resource: info.resource,
      subresource: info.subresource,
      namespace: info.namespace,
      name: info.name,
    };
    const verdict = authorize(attributes);
    ctx.audit.decision = verdict.decision === 'Allow' ? 'allow' : 'forbid';
    if (verdict.decision !== 'Allow') {
      const status = forbiddenStatus(attributes, verdict.reason);
      throw new StatusError(403, 'Forbidden', status.message, status.details);
    }
    return next(ctx);
  };
}
