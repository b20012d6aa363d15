import type { AuditLog } from '../audit.ts';
import { unauthorized } from '../status.ts';
import type { Handler, RequestContext } from './context.ts';

/**
 * withAudit records the request once its response is over (kube's ResponseComplete stage): who,
 * what, the answer's code, the authorizer's verdict and the store revision a write produced. The
 * record is written on 'close', not 'finish': a watch usually ends with its client going away, and
 * a response whose connection dropped never finishes; Kubernetes audits those requests too.
 */
export function withAudit(next: Handler, audit: AuditLog): Handler {
  return (ctx) => {
    recordOnClose(ctx, audit);
    return next(ctx);
  };
}

/** withFailedAuthenticationAudit: a request nobody could be identified for is audited, then refused. */
export function withFailedAuthenticationAudit(audit: AuditLog): Handler {
  return async (ctx) => {
    recordOnClose(ctx, audit);
    throw unauthorized();
  };
}

function recordOnClose(ctx: RequestContext, audit: AuditLog): void {
  const { req, res, info } = ctx;
  res.once('close', () =>
    audit.record({
      info: ctx.audit.createdName && !info.name ? { ...info, name: ctx.audit.createdName } : info,
      uri: req.url ?? '/',
      user: ctx.user,
      sourceIP: req.socket.remoteAddress ?? '',
      userAgent: req.headers['user-agent'],
      code: res.statusCode,
      received: ctx.received,
      revision: ctx.audit.revision,
      decision: ctx.audit.decision,
    }),
  );
}
