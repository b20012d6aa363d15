import type { IncomingMessage } from 'node:http';
import type { AuthenticationResult } from '../authn.ts';
import type { Handler } from './context.ts';

/**
 * withAuthentication finds out who sent the request, by client certificate or bearer token
 * (authn.ts), and passes it on as that user. A request nobody can be identified for goes to
 * `failed` instead, which audits it and answers 401 Unauthorized.
 */
export function withAuthentication(
  next: Handler,
  authenticate: (req: IncomingMessage) => Promise<AuthenticationResult>,
  failed: Handler,
): Handler {
  return async (ctx) => {
    const result = await authenticate(ctx.req).catch(() => undefined);
    if (result?.status !== 'Authenticated') {
      if (result?.status === 'Anonymous') ctx.user = result.user;
      return failed(ctx);
    }
    ctx.user = result.user;
    return next(ctx);
  };
}
