import type { KubeObject } from '../../cluster/api/meta.ts';
import type { ResourceType } from '../../cluster/api/resources.ts';
import { flag, isSet, type KubectlArgs } from './args.ts';
import type { KubectlContext } from './context.ts';
import { KubectlError, objectName, resourceArgs } from './resource-names.ts';

/*
 * The verbs that change a field or two of existing objects: scale, label, annotate, set image.
 * Each reads its TYPE NAME... (or TYPE/NAME...) arguments, then patches every object named.
 */

/** Splits "TYPE NAME... key=value key-" into the objects and the rest, which holds '=' or ends in '-'. */
function objectsAndChanges(words: readonly string[]) {
  const isChange = (w: string) => w.includes('=') || (w.endsWith('-') && !w.includes('/'));
  const first = words.findIndex(isChange);
  const objects = first < 0 ? words : words.slice(0, first);
  const changes = first < 0 ? [] : words.slice(first);
  const targets = resourceArgs(objects).flatMap(({ type, names }) => names.map((name) => ({ type, name })));
  if (targets.length === 0) throw new KubectlError('resource(s) were provided, but no name was specified');
  return { targets, changes };
}

const client = (ctx: KubectlContext, type: ResourceType) =>
  ctx.client.resource(type, type.namespaced ? ctx.namespace : '');

/** scale: a merge patch of the scale subresource's spec.replicas. */
export async function scale(ctx: KubectlContext, args: KubectlArgs): Promise<number> {
  const replicas = flag(args, 'replicas');
  if (replicas === undefined) throw new KubectlError('required flag(s) "replicas" not set');
  const { targets } = objectsAndChanges(args.words.slice(1));
  for (const { type, name } of targets) {
    if (!type.subresources.some((s) => s.name === 'scale')) {
      throw new KubectlError(`cannot scale ${type.plural}: no scale subresource`);
    }
    await client(ctx, type).patch(
      name,
      'merge',
      { spec: { replicas: Number(replicas) } },
      { subresource: 'scale', signal: ctx.signal },
    );
    ctx.out(`${objectName(type, name)} scaled\n`);
  }
  return 0;
}

/**
 * label and annotate: key=value sets, key- removes. A key that already has another value needs
 * --overwrite. label says "labeled", "unlabeled" (only removals) or "not labeled" (no change),
 * by comparing the metadata before and after as kubectl's updateDataChangeMsg does.
 */
export async function setMetadata(
  ctx: KubectlContext,
  args: KubectlArgs,
  field: 'labels' | 'annotations',
): Promise<number> {
  const { targets, changes } = objectsAndChanges(args.words.slice(1));
  if (changes.length === 0) throw new KubectlError(`at least one ${field.slice(0, -1)} update is required`);
  const overwrite = isSet(args, 'overwrite');
  for (const { type, name } of targets) {
    const obj: KubeObject = await client(ctx, type).get(name, { signal: ctx.signal });
    const before = { ...obj.metadata[field] };
    const after: Record<string, string> = { ...before };
    const patch: Record<string, string | null> = {};
    for (const change of changes) {
      if (!change.includes('=')) {
        const key = change.slice(0, -1);
        if (!(key in after)) ctx.out(`${field === 'labels' ? 'label' : 'annotation'} "${key}" not found.\n`);
        delete after[key];
        patch[key] = null;
        continue;
      }
      const key = change.slice(0, change.indexOf('='));
      const value = change.slice(change.indexOf('=') + 1);
      if (!overwrite && key in before && before[key] !== value) {
        throw new KubectlError(`'${key}' already has a value (${before[key]}), and --overwrite is false`);
      }
      after[key] = value;
      patch[key] = value;
    }
    const [oldJson, newJson] = [JSON.stringify(before), JSON.stringify(after)];
    if (oldJson !== newJson) {
      await client(ctx, type).patch(name, 'merge', { metadata: { [field]: patch } }, { signal: ctx.signal });
    }
    const message =
      field === 'annotations'
        ? 'annotated'
        : oldJson === newJson
          ? 'not labeled'
          : !overwrite && newJson.length < oldJson.length
            ? 'unlabeled'
            : 'labeled';
    ctx.out(`${objectName(type, name)} ${message}\n`);
  }
  return 0;
}

interface Containers {
  containers?: { name: string; image?: string }[];
  initContainers?: { name: string; image?: string }[];
}

/** set image TYPE NAME container=image...: a strategic merge of the named containers' images. */
export async function setImage(ctx: KubectlContext, args: KubectlArgs): Promise<number> {
  if (args.words[1] !== 'image') throw new KubectlError(`unknown command "set ${args.words[1] ?? ''}"`);
  const { targets, changes } = objectsAndChanges(args.words.slice(2));
  for (const { type, name } of targets) {
    const obj = (await client(ctx, type).get(name, { signal: ctx.signal })) as KubeObject & {
      spec?: Containers & { template?: { spec?: Containers } };
    };
    const podSpec = type.kind === 'Pod' ? obj.spec : obj.spec?.template?.spec;
    if (!podSpec) throw new KubectlError(`${type.plural} "${name}" has no pod template`);
    const changed: Record<'containers' | 'initContainers', { name: string; image: string }[]> = {
      containers: [],
      initContainers: [],
    };
    for (const change of changes) {
      const [container = '', image = ''] = [
        change.slice(0, change.indexOf('=')),
        change.slice(change.indexOf('=') + 1),
      ];
      let found = false;
      for (const list of ['containers', 'initContainers'] as const) {
        for (const c of podSpec[list] ?? []) {
          if (container !== '*' && c.name !== container) continue;
          found = true;
          if (c.image !== image) changed[list].push({ name: c.name, image });
        }
      }
      if (!found) throw new KubectlError(`unable to find container named "${container}"`);
    }
    const lists = Object.fromEntries(Object.entries(changed).filter(([, list]) => list.length));
    // Nothing to change: kubectl sends no patch and prints nothing.
    if (Object.keys(lists).length === 0) continue;
    const patch = type.kind === 'Pod' ? { spec: lists } : { spec: { template: { spec: lists } } };
    await client(ctx, type).patch(name, 'strategic', patch, { signal: ctx.signal });
    ctx.out(`${objectName(type, name)} image updated\n`);
  }
  return 0;
}
