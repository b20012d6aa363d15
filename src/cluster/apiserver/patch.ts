import fastJsonPatch from 'fast-json-patch';
import { badRequest, StatusError, unsupportedMediaType } from './status.ts';

// The three PATCH formats kube-apiserver accepts (server-side apply is not served):
// JSON patch (RFC 6902), JSON merge patch (RFC 7386) and Kubernetes' strategic merge patch.

export const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
] as const;

export type PatchType = (typeof PATCH_TYPES)[number];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function patchTypeOf(contentType: string | undefined): PatchType {
  const base = (contentType ?? '').split(';')[0]!.trim();
  const type = PATCH_TYPES.find((t) => t === base);
  if (!type) throw unsupportedMediaType([...PATCH_TYPES, 'application/apply-patch+yaml']);
  return type;
}

/** Applies `patch` (already parsed JSON) to `original` and returns the new object. */
export function applyPatch(type: PatchType, original: object, patch: unknown): object {
  switch (type) {
    case 'application/json-patch+json':
      return jsonPatch(original, patch);
    case 'application/merge-patch+json':
      if (!isObject(patch)) throw badRequest('a merge patch must be a JSON object');
      return mergePatch(original as Json, patch) as object;
    case 'application/strategic-merge-patch+json':
      if (!isObject(patch)) throw badRequest('a strategic merge patch must be a JSON object');
      return strategicMerge(original as JsonObject, patch, []);
  }
}

function jsonPatch(original: object, patch: unknown): object {
  if (!Array.isArray(patch))
    throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  try {
    return fastJsonPatch.applyPatch(
      structuredClone(original),
      patch as fastJsonPatch.Operation[],
      true,
      false,
    ).newDocument;
  } catch (err) {
    if (err instanceof StatusError) throw err;
    const name = err instanceof Error ? err.name : '';
    if (name === 'TEST_OPERATION_FAILED')
      throw new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request');
    throw badRequest(
      `the server rejected our request due to an error in our request: ${(err as Error).message.split('\n')[0]}`,
    );
  }
}

/** RFC 7386: objects merge key by key, null deletes, anything else replaces. */
export function mergePatch(original: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const result: JsonObject = isObject(original) ? { ...original } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key] ?? null, value);
  }
  return result;
}

/**
 * The merge key of a list in Kubernetes' types (their `patchMergeKey` tags), by the list's field
 * name and, where one name means two things, its parent's. Lists not named here are replaced whole.
 */
function mergeKeyOf(path: readonly string[]): string | undefined {
  const field = path.at(-1);
  const parent = path.at(-2);
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'volumes':
    case 'env':
    case 'imagePullSecrets':
    case 'resourceClaims':
    case 'schedulingGates':
      return 'name';
    case 'volumeMounts':
      return 'mountPath';
    case 'volumeDevices':
      return 'devicePath';
    case 'hostAliases':
      return 'ip';
    case 'ownerReferences':
      return 'uid';
    case 'conditions':
    case 'addresses':
      return 'type';
    case 'ports':
      // Container ports merge on containerPort; Service ports on port.
      return parent === 'containers[]' || parent === 'initContainers[]' || parent === 'ephemeralContainers[]'
        ? 'containerPort'
        : 'port';
    default:
      return undefined;
  }
}

/** Primitive lists Kubernetes merges as sets rather than replacing. */
const MERGED_PRIMITIVE_LISTS = new Set(['finalizers']);

/**
 * Kubernetes' strategic merge patch: maps merge as in a merge patch; lists with a merge key merge
 * element by element ($patch: delete removes one, $patch: replace replaces the list); directives
 * $setElementOrder/<list> fix the final order and $deleteFromPrimitiveList/<list> removes values;
 * `$patch: replace` or `delete` on a map replaces or removes it.
 */
export function strategicMerge(original: JsonObject, patch: JsonObject, path: string[]): JsonObject {
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return rest;
  }
  const result: JsonObject = { ...original };
  const orders: [string, Json[]][] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys') continue;
    if (key.startsWith('$setElementOrder/')) {
      if (Array.isArray(value)) orders.push([key.slice('$setElementOrder/'.length), value]);
      continue;
    }
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const list = result[field];
      if (Array.isArray(list) && Array.isArray(value))
        result[field] = list.filter((item) => !value.includes(item));
      continue;
    }
    if (value === null) {
      delete result[key];
    } else if (isObject(value)) {
      if (value.$patch === 'delete') delete result[key];
      else result[key] = strategicMerge(isObject(result[key]) ? result[key] : {}, value, [...path, key]);
    } else if (Array.isArray(value)) {
      result[key] = mergeList(result[key], value, [...path, key]);
    } else {
      result[key] = value;
    }
  }
  if (Array.isArray(patch.$retainKeys)) {
    for (const key of Object.keys(result)) if (!patch.$retainKeys.includes(key)) delete result[key];
  }
  for (const [field, order] of orders) {
    const list = result[field];
    if (Array.isArray(list)) result[field] = orderList(list, order, mergeKeyOf([...path, field]));
  }
  return result;
}

function mergeList(original: Json | undefined, patch: Json[], path: string[]): Json[] {
  const current = Array.isArray(original) ? original : [];
  const field = path.at(-1)!;
  if (MERGED_PRIMITIVE_LISTS.has(field)) return [...new Set([...current, ...patch])];
  const key = mergeKeyOf(path);
  if (!key) return patch.filter((item) => !(isObject(item) && item.$patch));
  if (patch.some((item) => isObject(item) && item.$patch === 'replace')) {
    return patch.filter((item) => !(isObject(item) && item.$patch === 'replace'));
  }
  const result = [...current];
  const elementPath = [...path.slice(0, -1), `${field}[]`];
  for (const item of patch) {
    if (!isObject(item)) continue;
    const at = result.findIndex((existing) => isObject(existing) && existing[key] === item[key]);
    if (item.$patch === 'delete') {
      if (at >= 0) result.splice(at, 1);
    } else if (at >= 0) {
      result[at] = strategicMerge(result[at] as JsonObject, item, elementPath);
    } else {
      result.push(strategicMerge({}, item, elementPath));
    }
  }
  return result;
}

/** Puts the listed elements in the given order; elements the order does not name keep their place after. */
function orderList(list: Json[], order: Json[], key: string | undefined): Json[] {
  const identity = (item: Json): Json => (key && isObject(item) ? (item[key] ?? null) : item);
  const wanted = order.map((item) => identity(item));
  const ranked = list.filter((item) => wanted.includes(identity(item)));
  ranked.sort((a, b) => wanted.indexOf(identity(a)) - wanted.indexOf(identity(b)));
  const rest = list.filter((item) => !wanted.includes(identity(item)));
  return [...ranked, ...rest];
}
