import type { KubeObject } from '../../cluster/api/meta.ts';
import { type ResourceType, resources } from '../../cluster/api/resources.ts';

/** A command-line failure kubectl reports as `error: <message>` (exit 1). */
export class KubectlError extends Error {
  override readonly name = 'KubectlError';
}

/**
 * resourceFor finds the resource a learner names as kubectl's RESTMapper does from discovery:
 * plural, singular, short name or kind, optionally followed by its group ("deployments.apps").
 */
export function resourceFor(spelled: string): ResourceType {
  const [name = '', ...groupParts] = spelled.toLowerCase().split('.');
  const group = groupParts.join('.');
  const found = resources.find(
    (r) =>
      r.verbs.includes('get') &&
      (!group || r.group === group || `${r.version}.${r.group}` === group) &&
      (r.plural === name ||
        r.singular === name ||
        r.shortNames.includes(name) ||
        r.kind.toLowerCase() === name),
  );
  if (!found) throw new KubectlError(`the server doesn't have a resource type "${spelled}"`);
  return found;
}

/** The resources `kubectl get all` reads: those in the "all" category, in discovery order. */
export const allCategory = (): readonly ResourceType[] =>
  resources.filter((r) => r.categories.includes('all'));

/** How kubectl names a kind in its messages: "pod", "deployment.apps". */
export const kindName = (type: ResourceType): string =>
  type.group ? `${type.kind.toLowerCase()}.${type.group}` : type.kind.toLowerCase();

/** How kubectl names a resource in Status messages and `delete`: "pods", "deployments.apps". */
export const resourceName = (type: ResourceType): string =>
  type.group ? `${type.plural}.${type.group}` : type.plural;

/** "deployment.apps/web": what create, apply, scale and the other writes print before their verb. */
export const objectName = (type: ResourceType, obj: KubeObject | string): string =>
  `${kindName(type)}/${typeof obj === 'string' ? obj : obj.metadata.name}`;

/** The resource of an object read from a manifest, by its apiVersion and kind. */
export function resourceOfObject(apiVersion: string, kind: string): ResourceType {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const found = resources.find((r) => r.group === group && r.version === version && r.kind === kind);
  if (!found) {
    throw new KubectlError(
      `resource mapping not found for name: "" namespace: "" from "": no matches for kind "${kind}" in version "${apiVersion}"`,
    );
  }
  return found;
}

/**
 * The TYPE NAME... or TYPE/NAME... arguments of get, delete, label and the like, as pairs of
 * resource and names (no names: every object). `all` and "pods,services" read several kinds.
 */
export function resourceArgs(words: readonly string[]): { type: ResourceType; names: string[] }[] {
  if (words.length === 0) throw new KubectlError('You must provide one or more resources.');
  if (words.every((w) => w.includes('/'))) {
    const pairs: { type: ResourceType; names: string[] }[] = [];
    for (const word of words) {
      const [kind = '', name = ''] = word.split('/');
      const type = resourceFor(kind);
      const same = pairs.find((p) => p.type === type);
      if (same) same.names.push(name);
      else pairs.push({ type, names: [name] });
    }
    return pairs;
  }
  const [kinds = '', ...names] = words;
  const types = kinds.split(',').flatMap((k) => (k === 'all' ? allCategory() : [resourceFor(k)]));
  return types.map((type) => ({ type, names }));
}

/**
 * kubectl prefixes names with their kind when the command asked for several kinds at once:
 * `all` or "pods,services" (TYPE/NAME arguments count the kinds actually found instead).
 */
export function multipleTypesRequested(words: readonly string[]): boolean {
  const first = words[0] ?? '';
  return !first.includes('/') && (first.split(',').includes('all') || first.split(',').length > 1);
}
