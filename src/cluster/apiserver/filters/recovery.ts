import { sendStatus } from '../http.ts';
import { internalError, isStatusError } from '../status.ts';
import type { Handler } from './context.ts';

/**
 * withErrorResponses answers a request that a filter or the handler refused by throwing: a
 * StatusError as the Status it carries (401, 403, 404, 422...), anything else as a 500, as
 * kube-apiserver's handlers write errors and its WithPanicRecovery catches the unexpected.
 */
export function withErrorResponses(next: Handler): Handler {
  return async (ctx) => {
    try {
      await next(ctx);
    } catch (err) {
      sendStatus(ctx.res, isStatusError(err) ? err : internalError(err));
    }
  };
}
