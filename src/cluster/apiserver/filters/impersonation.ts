import type { IncomingHttpHeaders } from 'node:http';
import { ALL_AUTHENTICATED, type UserInfo } from '../authn.ts';
import { type Attributes, forbiddenStatus } from '../authz/attributes.ts';
import type { AuthorizationDecision } from '../authz/rbac.ts';
import { badRequest, StatusError } from '../status.ts';
import type { Handler } from './context.ts';

const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';

/**
 * withImpersonation (`kubectl --as alice --as-group dev`): the caller asks to act as another user,
 * and the rest of the request path sees that user instead.
 */
export function withImpersonation(
  next: Handler,
  authorize: (attributes: Attributes) => AuthorizationDecision,
): Handler {
  return (ctx) => {
    ctx.user = impersonate(ctx.req.headers, ctx.user, authorize);
    return next(ctx);
  };
}

/**
 * impersonate works out who the caller acts as. Each identity asked for is authorized first as the
 * verb "impersonate" on users, groups or service accounts, as kube-apiserver's impersonation filter
 * does; a refusal is a 403 naming the caller. Returns the caller unchanged when the request asks
 * for no one.
 */
function impersonate(
  headers: IncomingHttpHeaders,
  caller: UserInfo,
  authorize: (attributes: Attributes) => AuthorizationDecision,
): UserInfo {
  const user = single(headers['impersonate-user']);
  const groups = list(headers['impersonate-group']);
  if (user === undefined) {
    if (groups.length > 0) throw badRequest('requested impersonation of groups without impersonating a user');
    return caller;
  }
  const check = (resource: string, name: string, namespace = '') => {
    const attributes: Attributes = {
      user: caller,
      verb: 'impersonate',
      isResourceRequest: true,
      path: '',
      apiGroup: '',
      resource,
      namespace,
      name,
    };
    const decision = authorize(attributes);
    if (decision.decision !== 'Allow') {
      const status = forbiddenStatus(attributes, decision.reason);
      throw new StatusError(403, 'Forbidden', status.message, status.details);
    }
  };
  if (user.startsWith(SERVICE_ACCOUNT_PREFIX)) {
    const [namespace = '', name = ''] = user.slice(SERVICE_ACCOUNT_PREFIX.length).split(':');
    check('serviceaccounts', name, namespace);
  } else {
    check('users', user);
  }
  for (const group of groups) check('groups', group);
  const impliedGroups = user === 'system:anonymous' ? [] : [ALL_AUTHENTICATED];
  return { username: user, groups: [...new Set([...groups, ...impliedGroups])] };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function list(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value])
    .flatMap((v) => v.split(',').map((s) => s.trim()))
    .filter(Boolean);
}
