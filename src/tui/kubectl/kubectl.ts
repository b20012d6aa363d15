import type { RestClient } from '../../cluster/client/rest-client.ts';
import { applyFromFiles, createFromFiles } from './apply.ts';
import { flag, type KubectlArgs, parseArgs } from './args.ts';
import { errorText, type KubectlContext } from './context.ts';
import { deleteObjects } from './delete.ts';
import { createGenerated, expose, run } from './generators.ts';
import { GET_OUTPUTS, get } from './get.ts';
import { logs } from './logs.ts';
import { scale, setImage, setMetadata } from './patches.ts';
import { ROLLOUT_SUBCOMMANDS, rollout } from './rollout.ts';

/**
 * The built-in kubectl: the commands the lessons use, written against the lab's REST client and
 * printing what kubectl v1.32 prints, byte for byte. Whatever it does not cover (describe, exec,
 * edit, -o jsonpath, -w, ...) is reported as unsupported so the prompt runs the real kubectl.
 */

type Verb = (ctx: KubectlContext, args: KubectlArgs) => Promise<number>;

const CREATE_GENERATORS = new Set(['deployment', 'deploy', 'namespace', 'ns', 'configmap', 'cm']);

const VERBS: Readonly<Record<string, Verb>> = {
  get,
  create: (ctx, args) => (args.words.length === 1 ? createFromFiles(ctx, args) : createGenerated(ctx, args)),
  apply: applyFromFiles,
  delete: deleteObjects,
  run,
  scale,
  label: (ctx, args) => setMetadata(ctx, args, 'labels'),
  annotate: (ctx, args) => setMetadata(ctx, args, 'annotations'),
  expose,
  set: setImage,
  rollout,
  logs,
};

/** The parsed command when the built-in kubectl runs it; undefined sends it to the real kubectl. */
export function builtinCommand(argv: readonly string[]): KubectlArgs | undefined {
  const args = parseArgs(argv);
  const [verb, sub] = args?.words ?? [];
  if (!args || !verb || !VERBS[verb]) return undefined;
  if (args.flags.get('filename')?.includes('-')) return undefined;
  if (verb === 'get' && flag(args, 'output') !== undefined && !GET_OUTPUTS.has(flag(args, 'output')!)) {
    return undefined;
  }
  if (verb === 'create' && sub !== undefined && !CREATE_GENERATORS.has(sub)) return undefined;
  if (verb === 'set' && sub !== 'image') return undefined;
  if (verb === 'rollout' && !ROLLOUT_SUBCOMMANDS.has(sub ?? '')) return undefined;
  return args;
}

/** Where the built-in kubectl writes and what it works with. */
export interface BuiltinKubectlOptions {
  readonly client: RestClient;
  readonly cwd: string;
  readonly signal: AbortSignal;
  out(text: string): void;
  err(text: string): void;
}

/** Runs a command builtinCommand accepted; resolves to kubectl's exit code, never rejects. */
export async function runBuiltinKubectl(args: KubectlArgs, options: BuiltinKubectlOptions): Promise<number> {
  let written = false;
  const ctx: KubectlContext = {
    client: options.client,
    namespace: flag(args, 'namespace') ?? options.client.config.namespace,
    cwd: options.cwd,
    signal: options.signal,
    out: (text) => {
      written ||= text.length > 0;
      options.out(text);
    },
    err: options.err,
    written: () => written,
    reportError: (err) => options.err(`${errorText(err)}\n`),
  };
  try {
    return await VERBS[args.words[0]!]!(ctx, args);
  } catch (err) {
    if (options.signal.aborted) return 130;
    ctx.reportError(err);
    return 1;
  }
}
