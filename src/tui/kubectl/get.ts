import type { KubeObject } from '../../cluster/api/meta.ts';
import type { ResourceType } from '../../cluster/api/resources.ts';
import { isNotFound } from '../../cluster/client/rest-client.ts';
import { flag, isSet, type KubectlArgs } from './args.ts';
import type { KubectlContext } from './context.ts';
import { toGoJson, toGoYaml } from './go-yaml.ts';
import { kindName, multipleTypesRequested, objectName, resourceArgs } from './resource-names.ts';
import { printTable, tableRows, WireTable } from './table-printer.ts';

/** The Accept header kubectl get sends: a Table if the server can, else the object. */
const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

/** The -o values the built-in prints; others (jsonpath, custom-columns) go to the real kubectl. */
export const GET_OUTPUTS = new Set(['wide', 'name', 'yaml', 'json']);

/** One kind's answer: the objects or Tables read, and the names that were missing. */
interface Fetched {
  readonly type: ResourceType;
  readonly answers: unknown[];
  readonly errors: unknown[];
}

/**
 * get is `kubectl get`: each kind asked for is read as the server's Table (the server renders
 * kubectl's own columns), or as objects for -o name/yaml/json; NotFound names are reported after
 * what was found, as kubectl does, and make the exit code 1.
 */
export async function get(ctx: KubectlContext, args: KubectlArgs): Promise<number> {
  const output = flag(args, 'output');
  const allNamespaces = isSet(args, 'all-namespaces');
  const words = args.words.slice(1);
  const asTable = output === undefined || output === 'wide';
  const fetched: Fetched[] = [];
  const pairs = resourceArgs(words);
  for (const { type, names } of pairs) {
    const resource = ctx.client.resource(type, type.namespaced && !allNamespaces ? ctx.namespace : '');
    const one: Fetched = { type, answers: [], errors: [] };
    fetched.push(one);
    const read = (name?: string) =>
      ctx.client.request<unknown>({
        method: 'GET',
        path: resource.path(name),
        query: name ? {} : { labelSelector: flag(args, 'selector'), limit: 500 },
        accept: asTable ? TABLE_ACCEPT : undefined,
        signal: ctx.signal,
      });
    if (names.length === 0) one.answers.push(await read());
    for (const name of names) {
      await read(name).then(
        (answer) => one.answers.push(answer),
        (err: unknown) => {
          if (!isNotFound(err)) throw err;
          one.errors.push(err);
        },
      );
    }
  }
  if (asTable) printTables(ctx, fetched, words, output === 'wide', allNamespaces, isSet(args, 'show-labels'));
  else printObjects(ctx, fetched, output!, pairs.length === 1 && pairs[0]!.names.length === 1);
  const errors = fetched.flatMap((f) => f.errors);
  for (const err of errors) ctx.reportError(err);
  if (!ctx.written() && errors.length === 0) {
    const scoped = fetched.some((f) => f.type.namespaced) && !allNamespaces;
    ctx.err(scoped ? `No resources found in ${ctx.namespace} namespace.\n` : 'No resources found\n');
  }
  return errors.length ? 1 : 0;
}

function printTables(
  ctx: KubectlContext,
  fetched: readonly Fetched[],
  words: readonly string[],
  wide: boolean,
  allNamespaces: boolean,
  showLabels: boolean,
): void {
  const withKind = multipleTypesRequested(words) || fetched.filter((f) => f.answers.length).length > 1;
  for (const { type, answers } of fetched) {
    const tables = answers.map((a) => WireTable.parse(a));
    if (!tables.some((t) => t.rows?.length)) continue;
    const lines = tableRows(tables, {
      wide,
      withNamespace: allNamespaces && type.namespaced,
      showLabels,
      kindPrefix: withKind ? kindName(type) : undefined,
    });
    // A blank line between kinds, once something has been printed.
    if (ctx.written()) ctx.out('\n');
    ctx.out(`${printTable(lines).join('\n')}\n`);
  }
}

/** -o name prints kind/name lines; yaml and json print the one object asked for, or else a List. */
function printObjects(ctx: KubectlContext, fetched: readonly Fetched[], output: string, singleName: boolean) {
  const objects = fetched.flatMap(({ type, answers }) =>
    answers.flatMap((a) => {
      const list = a as { items?: KubeObject[] };
      const { group, version, kind } = type;
      const typeMeta = { apiVersion: group ? `${group}/${version}` : version, kind };
      return list.items ? list.items.map((item) => ({ ...typeMeta, ...item })) : [a as KubeObject];
    }),
  );
  if (output === 'name') {
    const types = new Map(fetched.map((f) => [f.type.kind, f.type]));
    for (const obj of objects) ctx.out(`${objectName(types.get(obj.kind ?? '')!, obj)}\n`);
    return;
  }
  if (singleName && objects.length === 0) return;
  const value = singleName
    ? objects[0]
    : { apiVersion: 'v1', items: objects, kind: 'List', metadata: { resourceVersion: '' } };
  ctx.out(output === 'yaml' ? toGoYaml(value) : toGoJson(value));
}
