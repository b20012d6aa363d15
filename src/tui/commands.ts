import { type ChildProcess, spawn } from 'node:child_process';
import type { RestClient } from '../cluster/client/rest-client.ts';
import type { KubectlArgs } from './kubectl/args.ts';
import { builtinCommand, runBuiltinKubectl } from './kubectl/kubectl.ts';
import type { LabAddress } from './lab-session.ts';
import type { Settings } from './settings.ts';

const ORCH_LAB_BIN = new URL('../../bin/orch-lab.js', import.meta.url).pathname;

/** The commands the prompt knows, with what `help` says about each. */
export const PROMPT_COMMANDS: Readonly<Record<string, string>> = {
  kubectl: 'kubectl against the lab (built in for what lessons use; the real kubectl for the rest)',
  etcdctl: "etcdctl against the lab's store (its etcd v3 face)",
  node: 'lab nodes: node stop|start|list NAME (orch-lab node ...)',
  explain: 'explain schedule POD: why the scheduler chose a node',
  crictl: "a node's container runtime (orch-lab crictl ...)",
  setting: 'setting kubectl builtin|real: which kubectl the prompt runs',
  lesson: 'lesson list|start ID|status|check|hint|next|reset: the guided lessons (Lesson tab)',
  'orch-lab': 'any orch-lab command, such as orch-lab user add NAME',
  help: 'this list, and the keys',
  clear: 'empty the scrollback',
};

/**
 * What a prompt line runs: the built-in kubectl, or a program. `fallback` marks the real kubectl
 * running a command the built-in one does not cover.
 */
export type PromptCommand =
  | { readonly kind: 'builtin-kubectl'; readonly args: KubectlArgs }
  | { readonly kind: 'program'; readonly file: string; readonly args: string[]; readonly fallback?: boolean };

/** The command a prompt line runs, or undefined for a built-in or unknown word. */
export function commandFor(
  words: readonly string[],
  lab: LabAddress,
  settings: Pick<Settings, 'kubectl'>,
): PromptCommand | undefined {
  const [command, ...rest] = words;
  switch (command) {
    case 'kubectl': {
      const builtin = settings.kubectl === 'builtin' ? builtinCommand(rest) : undefined;
      if (builtin) return { kind: 'builtin-kubectl', args: builtin };
      const args = ['--kubeconfig', lab.kubeconfig, ...rest];
      return { kind: 'program', file: 'kubectl', args, fallback: settings.kubectl === 'builtin' };
    }
    case 'etcdctl':
      return { kind: 'program', file: 'etcdctl', args: [`--endpoints=${lab.etcd}`, ...rest] };
    case 'node':
    case 'explain':
    case 'crictl':
      return { kind: 'program', file: process.execPath, args: [ORCH_LAB_BIN, command, ...rest] };
    case 'orch-lab':
      return { kind: 'program', file: process.execPath, args: [ORCH_LAB_BIN, ...rest] };
    default:
      return undefined;
  }
}

/** A command the prompt started: its output arrives line by line; kill() stops it (Ctrl-C). */
export interface RunningCommand {
  kill(): void;
  readonly done: Promise<number>;
}

type OnLine = (line: string, stream: 'stdout' | 'stderr') => void;

/** Runs a prompt command; never throws. The built-in kubectl runs in this process on the lab's client. */
export function runCommand(
  command: PromptCommand,
  lab: LabAddress & { readonly kubectlClient: RestClient },
  onLine: OnLine,
): RunningCommand {
  if (command.kind === 'program') return runProgram(command, lab, onLine);
  const abort = new AbortController();
  const out = lineSplitter((line) => onLine(line, 'stdout'));
  const err = lineSplitter((line) => onLine(line, 'stderr'));
  const done = runBuiltinKubectl(command.args, {
    client: lab.kubectlClient,
    cwd: process.cwd(),
    signal: abort.signal,
    out: out.write,
    err: err.write,
  }).then((code) => {
    out.end();
    err.end();
    return code;
  });
  return { kill: () => abort.abort(), done };
}

/** Cuts written text into lines; end() hands on a last line that had no newline. */
function lineSplitter(onLine: (line: string) => void) {
  let rest = '';
  return {
    write: (text: string) => {
      const parts = (rest + text).split('\n');
      rest = parts.pop() ?? '';
      for (const part of parts) onLine(part);
    },
    end: () => {
      if (rest) onLine(rest);
      rest = '';
    },
  };
}

/** Runs a program for the prompt with the lab's home in its environment; never throws. */
function runProgram(
  command: { file: string; args: readonly string[] },
  lab: LabAddress,
  onLine: OnLine,
): RunningCommand {
  let child: ChildProcess;
  const done = new Promise<number>((resolve) => {
    child = spawn(command.file, command.args, {
      env: { ...process.env, ORCH_LAB_HOME: lab.home, KUBECONFIG: lab.kubeconfig, ETCDCTL_API: '3' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines = (stream: 'stdout' | 'stderr') => {
      const splitter = lineSplitter((line) => onLine(line, stream));
      child[stream]?.setEncoding('utf8').on('data', splitter.write);
      child[stream]?.on('end', splitter.end);
    };
    lines('stdout');
    lines('stderr');
    child.on('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'ENOENT' ? 'not installed (no such program on PATH)' : err.message;
      onLine(`${command.file}: ${why}`, 'stderr');
      resolve(127);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 130 : 1)));
  });
  return { kill: () => child.kill('SIGINT'), done };
}
