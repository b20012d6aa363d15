import type { IncomingMessage, ServerResponse } from 'node:http';
import { ANONYMOUS, type UserInfo } from '../authn.ts';
import type { RequestInfo } from '../request-info.ts';

/**
 * RequestContext is what the filters learn about a request as it passes them, kube's request
 * context: what the request is (request-info.ts), who sent it (authentication, then impersonation),
 * and what the audit record will say about it.
 */
export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly received: Date;
  readonly info: RequestInfo;
  /** system:anonymous until authentication says otherwise; impersonation may replace it. */
  user: UserInfo;
  readonly audit: AuditContext;
}

/** What the audit record of a request says beyond the request itself. */
export interface AuditContext {
  /** The authorizer's verdict, when it gave one. */
  decision?: 'allow' | 'forbid';
  /** The store revision a write produced. */
  revision?: string;
  /** A create names its object only in the body; the audit record names it as Kubernetes does. */
  createdName?: string;
}

/** A step of the request path that sees the whole request: a filter, or the handler at its end. */
export type Handler = (ctx: RequestContext) => Promise<void>;

/** newRequestContext starts a request's context: what it asks for, from nobody yet. */
export function newRequestContext(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  info: RequestInfo,
  received: Date,
): RequestContext {
  return { req, res, url, received, info, user: ANONYMOUS, audit: {} };
}
