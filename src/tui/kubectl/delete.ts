import type { KubeObject } from '../../cluster/api/meta.ts';
import type { ResourceType } from '../../cluster/api/resources.ts';
import { isNotFound } from '../../cluster/client/rest-client.ts';
import { flag, isSet, type KubectlArgs } from './args.ts';
import type { KubectlContext } from './context.ts';
import { readManifests } from './manifests.ts';
import { KubectlError, kindName, resourceArgs, resourceOfObject } from './resource-names.ts';

interface Target {
  readonly type: ResourceType;
  readonly namespace: string;
  readonly name: string;
}

/** The objects a delete names: by file, by TYPE NAME..., or every match of -l / --all. */
async function targetsOf(ctx: KubectlContext, args: KubectlArgs): Promise<Target[]> {
  const namespaceOf = (type: ResourceType, own?: string) => (type.namespaced ? (own ?? ctx.namespace) : '');
  const files = args.flags.get('filename');
  if (files) {
    return (await readManifests(files, ctx.cwd)).map(({ object }) => {
      const type = resourceOfObject(object.apiVersion, object.kind);
      return {
        type,
        namespace: namespaceOf(type, object.metadata.namespace),
        name: object.metadata.name ?? '',
      };
    });
  }
  const selector = flag(args, 'selector');
  const targets: Target[] = [];
  for (const { type, names } of resourceArgs(args.words.slice(1))) {
    const namespace = namespaceOf(type);
    if (names.length) {
      targets.push(...names.map((name) => ({ type, namespace, name })));
      continue;
    }
    if (!selector && !isSet(args, 'all')) {
      throw new KubectlError('resource(s) were provided, but no name was specified');
    }
    const list = await ctx.client
      .resource(type, namespace)
      .list({ labelSelector: selector, signal: ctx.signal });
    targets.push(...list.items.map((o: KubeObject) => ({ type, namespace, name: o.metadata.name ?? '' })));
  }
  return targets;
}

/** Resolves when the object is gone: a watch on its name from the version read, until DELETED. */
async function waitForDeletion(ctx: KubectlContext, { type, namespace, name }: Target): Promise<void> {
  const resource = ctx.client.resource(type, namespace);
  const list = await resource.list({ fieldSelector: `metadata.name=${name}`, signal: ctx.signal });
  if (list.items.length === 0) return;
  const watcher = await resource.watch({
    fieldSelector: `metadata.name=${name}`,
    resourceVersion: list.metadata.resourceVersion,
    signal: ctx.signal,
  });
  for await (const event of watcher) if (event.type === 'DELETED') return watcher.stop();
}

/**
 * delete: each object with propagationPolicy Background, printing `kind "name" deleted`, then
 * (unless --wait=false) waiting until they are gone, as kubectl does. A missing object is reported
 * and the others are still deleted.
 */
export async function deleteObjects(ctx: KubectlContext, args: KubectlArgs): Promise<number> {
  const targets = await targetsOf(ctx, args);
  if (targets.length === 0) {
    // Unlike get, delete says this on stdout.
    ctx.out('No resources found\n');
    return 0;
  }
  const deleted: Target[] = [];
  let failed = false;
  for (const target of targets) {
    try {
      await ctx.client
        .resource(target.type, target.namespace)
        .delete(target.name, { propagationPolicy: 'Background', signal: ctx.signal });
      ctx.out(`${kindName(target.type)} "${target.name}" deleted\n`);
      deleted.push(target);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      ctx.reportError(err);
      failed = true;
    }
  }
  if (flag(args, 'wait') !== 'false') for (const target of deleted) await waitForDeletion(ctx, target);
  return failed ? 1 : 0;
}
