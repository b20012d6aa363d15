import type { Pod } from '../../../../api/core/pod.ts';
import { evictionKind } from '../../../../api/policy/register.ts';
import { sendJSON } from '../../../http.ts';
import { methodNotSupported } from '../../../status.ts';
import { decodeKind } from '../../decode-kind.ts';
import type { SubresourceHandler } from '../../registration.ts';
import { success } from './binding.ts';

/** pods/eviction: a polite delete (drain uses it); without PodDisruptionBudgets it always succeeds. */
export const podEviction: SubresourceHandler<Pod> = async (ctx) => {
  if (ctx.info.verb !== 'create') throw methodNotSupported();
  const eviction = decodeKind(evictionKind, await ctx.body(), ctx.scope.fieldValidation).obj;
  const options = eviction.deleteOptions ?? {};
  const deleted = await ctx.store.delete(ctx.info.name, ctx.scope, {
    gracePeriodSeconds: options.gracePeriodSeconds ?? undefined,
    propagationPolicy:
      (options.propagationPolicy as 'Background' | 'Foreground' | 'Orphan' | undefined) ?? undefined,
  });
  ctx.produced(deleted.metadata.resourceVersion);
  sendJSON(ctx.res, 201, success(201));
};
