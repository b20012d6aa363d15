import type { KubeObject } from '../../cluster/api/meta.ts';
import { isApiError, isNotFound } from '../../cluster/client/rest-client.ts';
import type { KubectlArgs } from './args.ts';
import type { KubectlContext } from './context.ts';
import { goJson } from './go-yaml.ts';
import { type ManifestObject, readManifests } from './manifests.ts';
import { KubectlError, objectName, resourceOfObject } from './resource-names.ts';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

type JsonMap = { [key: string]: unknown };
const isMap = (v: unknown): v is JsonMap => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A manifest object placed in the namespace kubectl would send it to (its own, else -n or default). */
function placed(ctx: KubectlContext, m: ManifestObject) {
  const type = resourceOfObject(m.object.apiVersion, m.object.kind);
  const metadata = { ...m.object.metadata };
  if (type.namespaced) metadata.namespace ??= ctx.namespace;
  if (!metadata.name)
    throw new KubectlError(`error when retrieving current configuration of: resource name may not be empty`);
  return { type, object: { ...m.object, metadata } as KubeObject, source: m.source };
}

/** -f is required by create (without a subcommand) and apply. */
async function manifestsOf(ctx: KubectlContext, args: KubectlArgs) {
  const paths = args.flags.get('filename') ?? [];
  if (paths.length === 0) throw new KubectlError('must specify one of -f and -k');
  return (await readManifests(paths, ctx.cwd)).map((m) => placed(ctx, m));
}

/** Failures of one object are reported with its file and the command goes on, as kubectl does. */
function reportFailure(ctx: KubectlContext, err: unknown, when: string, source: string): void {
  if (!isApiError(err)) throw err;
  ctx.err(`Error from server (${err.reason}): error when ${when} "${source}": ${err.message}\n`);
}

/** create -f: POST each object as it is written in the file. */
export async function createFromFiles(ctx: KubectlContext, args: KubectlArgs): Promise<number> {
  let failed = false;
  for (const { type, object, source } of await manifestsOf(ctx, args)) {
    try {
      const created = await ctx.client.resource(type).create(object, { signal: ctx.signal });
      ctx.out(`${objectName(type, created)} created\n`);
    } catch (err) {
      reportFailure(ctx, err, 'creating', source);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

/**
 * The object with its last-applied annotation: the annotation holds the object itself as Go's
 * json.Marshal writes it (with an empty annotations map where the annotation was taken out), so
 * the next apply knows which fields it set (kubectl's util.GetModifiedConfiguration).
 */
function withLastApplied(object: KubeObject): KubeObject {
  const annotations = { ...object.metadata.annotations };
  delete annotations[LAST_APPLIED];
  const applied = `${goJson({ ...object, metadata: { ...object.metadata, annotations } })}\n`;
  return {
    ...object,
    metadata: { ...object.metadata, annotations: { ...annotations, [LAST_APPLIED]: applied } },
  };
}

/**
 * Whether `modified` asks for something `current` does not have. Only what the manifest says
 * counts: fields the server filled in (defaults, status) are not differences. Lists compare item
 * by item the same way, so a container list with defaulted fields is still unchanged.
 */
function differs(modified: unknown, current: unknown): boolean {
  if (isMap(modified))
    return !isMap(current) || Object.keys(modified).some((k) => differs(modified[k], current[k]));
  if (Array.isArray(modified)) {
    return (
      !Array.isArray(current) ||
      modified.length !== current.length ||
      modified.some((item, i) => differs(item, current[i]))
    );
  }
  return modified !== current;
}

/**
 * The three-way patch client-side apply sends: what the manifest changed against the live object,
 * and null for each field the last apply set that the manifest no longer has. Changed lists are
 * sent whole; the strategic merge on the server merges lists of containers by name.
 */
export function threeWayPatch(original: unknown, modified: JsonMap, current: JsonMap): JsonMap {
  const patch: JsonMap = {};
  for (const [key, value] of Object.entries(modified)) {
    if (isMap(value) && isMap(current[key])) {
      const inner = threeWayPatch(
        isMap(original) ? original[key] : undefined,
        value,
        current[key] as JsonMap,
      );
      if (Object.keys(inner).length) patch[key] = inner;
    } else if (differs(value, current[key])) patch[key] = value;
  }
  if (isMap(original)) {
    for (const key of Object.keys(original)) if (!(key in modified) && key in current) patch[key] = null;
  }
  return patch;
}

const MISSING_ANNOTATION = (resource: string) =>
  `Warning: resource ${resource} is missing the ${LAST_APPLIED} annotation which is required by kubectl apply. ` +
  'kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. ' +
  'The missing annotation will be patched automatically.\n';

/**
 * apply -f, client-side as kubectl does it without --server-side: a missing object is created
 * with the last-applied annotation; an existing one gets the three-way strategic merge patch,
 * unless there is nothing to patch ("unchanged").
 */
export async function applyFromFiles(ctx: KubectlContext, args: KubectlArgs): Promise<number> {
  let failed = false;
  for (const { type, object, source } of await manifestsOf(ctx, args)) {
    const resource = ctx.client.resource(type, object.metadata.namespace);
    const modified = withLastApplied(object);
    try {
      const current = await resource
        .get(object.metadata.name!, { signal: ctx.signal })
        .catch((err: unknown) => {
          if (isNotFound(err)) return undefined;
          throw err;
        });
      if (!current) {
        await resource.create(modified, { signal: ctx.signal });
        ctx.out(`${objectName(type, object)} created\n`);
        continue;
      }
      const applied = current.metadata.annotations?.[LAST_APPLIED];
      if (applied === undefined) ctx.err(MISSING_ANNOTATION(`${type.plural}/${object.metadata.name}`));
      const original: unknown = applied ? JSON.parse(applied) : undefined;
      const patch = threeWayPatch(original, modified as unknown as JsonMap, current as unknown as JsonMap);
      if (Object.keys(patch).length === 0) {
        ctx.out(`${objectName(type, object)} unchanged\n`);
        continue;
      }
      await resource.patch(object.metadata.name!, 'strategic', patch, { signal: ctx.signal });
      ctx.out(`${objectName(type, object)} configured\n`);
    } catch (err) {
      reportFailure(ctx, err, 'applying patch to', source);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}
