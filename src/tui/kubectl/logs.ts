import { pods } from '../../cluster/api/resources.ts';
import { isNotFound } from '../../cluster/client/rest-client.ts';
import { flag, isSet, type KubectlArgs } from './args.ts';
import type { KubectlContext } from './context.ts';
import { KubectlError } from './resource-names.ts';

const DEFAULT_CONTAINER = 'kubectl.kubernetes.io/default-container';

/**
 * logs POD [-c CONTAINER] [--tail N] [--previous]: reads the pod (to pick its container), then its
 * log subresource, which the API server proxies from the pod's kubelet. `-f` streams, and is left
 * to the real kubectl.
 */
export async function logs(ctx: KubectlContext, args: KubectlArgs): Promise<number> {
  const target = args.words[1];
  if (!target)
    throw new KubectlError('expected POD or TYPE/NAME is a required argument for the logs command');
  const name =
    target.startsWith('pod/') || target.startsWith('pods/') ? target.slice(target.indexOf('/') + 1) : target;
  const resource = ctx.client.resource(pods, ctx.namespace);
  const pod = await resource.get(name, { signal: ctx.signal }).catch((err: unknown) => {
    if (!isNotFound(err)) throw err;
    throw new KubectlError(
      `error from server (NotFound): pods "${name}" not found in namespace "${ctx.namespace}"`,
    );
  });
  const names = pod.spec.containers.map((c) => c.name);
  let container = flag(args, 'container');
  if (!container) {
    container = pod.metadata.annotations?.[DEFAULT_CONTAINER] ?? names[0];
    if (names.length > 1) ctx.err(`Defaulted container "${container}" out of: ${names.join(', ')}\n`);
  }
  const text = await ctx.client.requestText({
    method: 'GET',
    path: resource.path(name, 'log'),
    query: { container, tailLines: flag(args, 'tail'), previous: isSet(args, 'previous') || undefined },
    signal: ctx.signal,
  });
  ctx.out(text);
  return 0;
}
