import { resources } from '../cluster/api/resources.ts';
import { PROMPT_COMMANDS } from './commands.ts';

/** What completion may offer besides fixed words: the names of live objects by resource (plural). */
export type NameSource = (resource: string) => readonly string[];

const KUBECTL_VERBS = [
  'annotate',
  'api-resources',
  'apply',
  'cordon',
  'create',
  'delete',
  'describe',
  'drain',
  'edit',
  'exec',
  'explain',
  'expose',
  'get',
  'label',
  'logs',
  'rollout',
  'run',
  'scale',
  'set',
  'taint',
  'uncordon',
];
const KUBECTL_FLAGS = [
  '--all-namespaces',
  '--dry-run=client',
  '--filename',
  '--follow',
  '--image=',
  '--labels=',
  '--namespace',
  '--output',
  '--port=',
  '--replicas=',
  '--selector',
  '--show-labels',
  '--watch',
  '-A',
  '-f',
  '-l',
  '-n',
  '-o',
  '-w',
];
/** Verbs whose first argument is a kind and second a name: `kubectl get pods web`. */
const KIND_THEN_NAME = new Set(['get', 'describe', 'delete', 'edit', 'label', 'annotate', 'scale', 'taint']);
/** Verbs whose first argument is a pod or a node: `kubectl logs web`, `kubectl cordon node-1`. */
const NAME_OF: Readonly<Record<string, string>> = {
  logs: 'pods',
  exec: 'pods',
  cordon: 'nodes',
  uncordon: 'nodes',
  drain: 'nodes',
};
const KINDS = [...new Set(resources.flatMap((r) => [r.plural, ...r.shortNames]))].sort();

/** A shortNames or singular spelling to the plural the name source knows: po -> pods. */
const pluralOf = (kind: string) =>
  resources.find((r) => r.plural === kind || r.singular === kind || r.shortNames.includes(kind))?.plural ??
  kind;

/** The words that may stand at the end of `words` (the finished words before the one being typed). */
function candidatesAfter(words: readonly string[], typing: string, names: NameSource): readonly string[] {
  const [command, verb] = words;
  if (words.length === 0) return Object.keys(PROMPT_COMMANDS);
  if (command === 'kubectl') {
    if (typing.startsWith('-')) return KUBECTL_FLAGS;
    const args = words.slice(2).filter((w) => !w.startsWith('-'));
    if (words.length === 1) return KUBECTL_VERBS;
    if (verb && KIND_THEN_NAME.has(verb)) return args.length === 0 ? KINDS : names(pluralOf(args[0]!));
    if (verb && NAME_OF[verb] && args.length === 0) return names(NAME_OF[verb]);
    return [];
  }
  if (command === 'explain') return words.length === 1 ? ['schedule'] : names('pods');
  if (command === 'node') return words.length === 1 ? ['list', 'start', 'stop'] : names('nodes');
  if (command === 'etcdctl' && words.length === 1) return ['get', 'watch', 'endpoint', 'del', 'put'];
  if (command === 'setting') return words.length === 1 ? ['kubectl'] : ['builtin', 'real'];
  if (command === 'etcdctl' && typing.startsWith('/')) return ['/registry/'];
  return [];
}

const commonPrefix = (words: readonly string[]) =>
  words.reduce((prefix, w) => {
    let i = 0;
    while (i < prefix.length && prefix[i] === w[i]) i++;
    return prefix.slice(0, i);
  });

/**
 * complete is Tab at the prompt: one match is filled in (with a space after it, unless it ends in
 * '=' or '/'); several fill in what they share and are listed in `candidates`.
 */
export function complete(line: string, names: NameSource): { line: string; candidates: readonly string[] } {
  const start = line.search(/\S*$/);
  const typing = line.slice(start);
  const words = line.slice(0, start).trim().split(/\s+/).filter(Boolean);
  const matches = [...new Set(candidatesAfter(words, typing, names))]
    .filter((c) => c.startsWith(typing))
    .sort();
  if (matches.length === 0) return { line, candidates: [] };
  if (matches.length === 1) {
    const word = matches[0]!;
    return { line: line.slice(0, start) + word + (/[=/]$/.test(word) ? '' : ' '), candidates: [] };
  }
  return { line: line.slice(0, start) + commonPrefix(matches), candidates: matches };
}
