/**
 * The command line of the built-in kubectl: words, and flags by their long name. A flag the
 * built-in does not know makes the whole command the real kubectl's business, so a learner never
 * gets a flag silently ignored.
 */
export interface KubectlArgs {
  /** The words that are not flags: ["get", "pods", "web"]. */
  readonly words: readonly string[];
  /** Values by long flag name; a boolean flag holds "true" or "false". Repeated flags keep every value. */
  readonly flags: ReadonlyMap<string, readonly string[]>;
  /** What follows `--`: the container command of `kubectl run`. */
  readonly rest: readonly string[];
}

/** A flag: whether it takes a value, and its one-letter spelling. */
interface FlagSpec {
  readonly value: boolean;
  readonly short?: string;
}

const FLAGS: Readonly<Record<string, FlagSpec>> = {
  namespace: { value: true, short: 'n' },
  'all-namespaces': { value: false, short: 'A' },
  selector: { value: true, short: 'l' },
  output: { value: true, short: 'o' },
  filename: { value: true, short: 'f' },
  'show-labels': { value: false },
  image: { value: true },
  replicas: { value: true },
  port: { value: true },
  'target-port': { value: true },
  type: { value: true },
  name: { value: true },
  protocol: { value: true },
  labels: { value: true },
  env: { value: true },
  restart: { value: true },
  'from-literal': { value: true },
  overwrite: { value: false },
  all: { value: false },
  wait: { value: false },
  container: { value: true, short: 'c' },
  tail: { value: true },
  previous: { value: false, short: 'p' },
  'to-revision': { value: true },
  timeout: { value: true },
};

/** Flags of the whole command line (kubectl's global flags); --kubeconfig and --context are the real kubectl's. */
const GLOBAL = ['namespace'];

/** The flags each supported verb takes (and the globals); `logs -f` is follow, not filename. */
export const VERB_FLAGS: Readonly<Record<string, readonly string[]>> = {
  get: ['all-namespaces', 'selector', 'output', 'show-labels'],
  create: ['filename', 'image', 'replicas', 'port', 'from-literal'],
  apply: ['filename'],
  delete: ['filename', 'selector', 'all', 'wait'],
  run: ['image', 'labels', 'port', 'env', 'restart'],
  scale: ['replicas'],
  label: ['overwrite'],
  annotate: ['overwrite'],
  expose: ['port', 'target-port', 'type', 'name', 'protocol'],
  set: [],
  rollout: ['to-revision', 'timeout'],
  logs: ['container', 'tail', 'previous'],
};

/**
 * parseArgs reads `kubectl` arguments (the words after "kubectl"); undefined when a flag is
 * unknown to the verb, which sends the command to the real kubectl.
 */
export function parseArgs(argv: readonly string[]): KubectlArgs | undefined {
  const words: string[] = [];
  const flags = new Map<string, string[]>();
  const dash = argv.indexOf('--');
  const own = dash < 0 ? argv : argv.slice(0, dash);
  const verb = own.find((w) => !w.startsWith('-'));
  const allowed = new Set([...GLOBAL, ...(verb ? (VERB_FLAGS[verb] ?? []) : [])]);
  const shortName = (letter: string) =>
    verb === 'logs' && letter === 'f'
      ? 'follow' // unknown to the built-in: `logs -f` goes to the real kubectl
      : Object.entries(FLAGS).find(([, spec]) => spec.short === letter)?.[0];
  for (let i = 0; i < own.length; i++) {
    const word = own[i]!;
    if (!word.startsWith('-') || word === '-') {
      words.push(word);
      continue;
    }
    const [spelled, inline] = word.includes('=')
      ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)]
      : [word, undefined];
    const name = spelled.startsWith('--') ? spelled.slice(2) : shortName(spelled.slice(1));
    if (!name || !allowed.has(name)) return undefined;
    let value = inline;
    if (value === undefined) value = FLAGS[name]!.value ? own[++i] : 'true';
    if (value === undefined) return undefined;
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { words, flags, rest: dash < 0 ? [] : argv.slice(dash + 1) };
}

/** The last value of a flag. */
export const flag = (args: KubectlArgs, name: string): string | undefined => args.flags.get(name)?.at(-1);

/** A boolean flag: given bare or =true. */
export const isSet = (args: KubectlArgs, name: string): boolean => flag(args, name) === 'true';
