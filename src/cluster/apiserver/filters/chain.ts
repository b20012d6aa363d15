/**
 * The request path, as kube-apiserver's DefaultBuildHandlerChain builds it
 * (k8s.io/apiserver/pkg/server/config.go): each filter wraps the next, so it is built from the
 * handler outwards and a request meets the filters in the opposite order:
 *
 *   request info -> errors -> authentication -> audit -> impersonation -> authorization -> handler
 *
 * request-info.ts     what the request asks for (verb, resource, namespace, name)
 * recovery.ts         a refusal thrown anywhere below becomes a Status response
 * authentication.ts   who sent it: client certificate or bearer token; nobody -> 401
 * audit.ts            one audit.log record per request, written when its response is over
 * impersonation.ts    --as / --as-group: act as another user, if allowed to
 * authorization.ts    RBAC: may this user do this? no -> 403
 * the handler         discovery, health, OpenAPI, or a resource verb through the registry
 *
 * A request refused by authentication is still audited, by the failed-authentication handler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuditLog } from '../audit.ts';
import type { AuthenticationResult } from '../authn.ts';
import type { Attributes } from '../authz/attributes.ts';
import type { AuthorizationDecision } from '../authz/rbac.ts';
import { withAudit, withFailedAuthenticationAudit } from './audit.ts';
import { withAuthentication } from './authentication.ts';
import { withAuthorization } from './authorization.ts';
import type { Handler } from './context.ts';
import { withImpersonation } from './impersonation.ts';
import { withErrorResponses } from './recovery.ts';
import { withRequestInfo } from './request-info.ts';

export interface HandlerChainConfig {
  readonly authenticate: (req: IncomingMessage) => Promise<AuthenticationResult>;
  readonly authorize: (attributes: Attributes) => AuthorizationDecision;
  readonly audit: AuditLog;
}

export function buildHandlerChain(
  apiHandler: Handler,
  config: HandlerChainConfig,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  let handler = apiHandler;
  handler = withAuthorization(handler, config.authorize);
  handler = withImpersonation(handler, config.authorize);
  handler = withAudit(handler, config.audit);
  handler = withAuthentication(handler, config.authenticate, withFailedAuthenticationAudit(config.audit));
  handler = withErrorResponses(handler);
  return withRequestInfo(handler);
}
