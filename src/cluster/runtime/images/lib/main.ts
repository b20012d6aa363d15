import { Writable } from 'node:stream';
import { execFailedExitCode, execFailedMessage, lookPath } from '../commands.ts';
import { toolbox } from '../toolbox/index.ts';
import { containerEnv, readLabContext } from './context.ts';
import { ContainerFs } from './fs.ts';
import { reportStarted, watchLifeline } from './lifeline.ts';
import { PodNetwork } from './net.ts';
import type { Lab, Tool } from './tool.ts';

/**
 * runImage is the entry point of every image bundle: `node <bundle> <argv...>` runs the program
 * argv[0] names, from the image's own programs or the toolbox every lab image carries, inside the
 * container's context, and exits with its code.
 */
export async function runImage(programs: Readonly<Record<string, Tool>>): Promise<never> {
  const lifeline = watchLifeline();
  const context = readLabContext();
  const commands: Record<string, Tool> = { ...toolbox, ...programs };
  const names = new Set(Object.keys(commands));
  const fs = new ContainerFs(context.rootfs, context.mounts);
  const lab: Lab = {
    context,
    fs,
    net: new PodNetwork(context.podIP, context.hostname, fs),
    lookup: (argv0) => {
      const name = lookPath(argv0, names);
      return name === undefined ? undefined : commands[name];
    },
  };
  // Linux gives PID 1 no default signal actions: a container's main process that does not handle
  // SIGTERM ignores it, and the kubelet's SIGKILL ends it after the grace period (exit code 137).
  if (context.pid1) for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => {});
  reportStarted(lifeline);

  const argv = process.argv.slice(2);
  const tool = lab.lookup(argv[0] ?? '');
  if (!tool) {
    process.stderr.write(`${execFailedMessage(argv[0] ?? '')}\n`);
    process.exit(execFailedExitCode);
  }
  const interrupt = new AbortController();
  const code = await tool({
    argv,
    stdin: process.stdin,
    stdout: context.tty ? terminalOutput(process.stdout) : process.stdout,
    stderr: context.tty ? terminalOutput(process.stdout) : process.stderr,
    env: containerEnv(),
    cwd: context.workingDir,
    lab,
    signal: interrupt.signal,
  });
  // Pipes are written synchronously on Linux, but a full pipe queues: let it drain before exiting.
  await Promise.all(
    [process.stdout, process.stderr].map((out) => new Promise((resolve) => out.write('', resolve))),
  );
  process.exit(code);
}

/**
 * A terminal in raw mode on the learner's side does no output processing, so the container side
 * does what a pty's onlcr would: every "\n" goes out as "\r\n".
 */
function terminalOutput(out: NodeJS.WriteStream): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      out.write(chunk.toString('utf8').replace(/\r?\n/g, '\r\n'));
      callback();
    },
  });
}
