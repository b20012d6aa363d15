import { Worker } from 'node:worker_threads';
import type { Tool } from './lib/tool.ts';
import { write } from './lib/tool.ts';

/**
 * stress: burns the CPU and holds the memory it is asked for, with the arguments of the stress tool
 * the Kubernetes docs use (polinux/stress): --cpu N, --vm N, --vm-bytes 200M, --vm-hang N,
 * --timeout N. Its memory is written to, so it is resident and a memory limit catches it.
 */

/** stress sizes: B, K, M, G in powers of 1024. */
function parseSize(text: string): number | undefined {
  const m = /^(\d+)([bBkKmMgG]?)$/.exec(text);
  if (!m) return undefined;
  return (
    Number(m[1]) * { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase() as 'k']!
  );
}

const stress: Tool = async (io) => {
  const value = (name: string, fallback: string) => {
    const i = io.argv.indexOf(name);
    return i > 0 ? (io.argv[i + 1] ?? fallback) : fallback;
  };
  const cpu = Number(value('--cpu', value('-c', '0')));
  const vm = Number(value('--vm', value('-m', '0')));
  const bytes = parseSize(value('--vm-bytes', '256M'));
  const timeout = Number(value('--timeout', value('-t', '0')).replace(/s$/, ''));
  if (!Number.isInteger(cpu) || !Number.isInteger(vm) || bytes === undefined) {
    await write(io.stderr, 'stress: FAIL: [1] (-1) invalid arguments\n');
    return 1;
  }
  await write(io.stdout, `stress: info: [1] dispatching hogs: ${cpu} cpu, 0 io, ${vm} vm, 0 hdd\n`);
  for (let i = 0; i < cpu; i++) new Worker('for (;;) {}', { eval: true }).unref();
  const held: Buffer[] = [];
  for (let i = 0; i < vm; i++) {
    // 1 MiB at a time, each page written, as stress's malloc-and-touch does.
    for (let left = bytes; left > 0; left -= 1024 * 1024) {
      held.push(Buffer.allocUnsafe(Math.min(left, 1024 * 1024)).fill(0x5a));
      if (held.length % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }
  if (timeout > 0) {
    await new Promise((resolve) => setTimeout(resolve, timeout * 1000));
    await write(io.stdout, `stress: info: [1] successful run completed in ${timeout}s\n`);
    return 0;
  }
  return new Promise<number>(() => {
    setInterval(() => held.length, 60_000);
  });
};

export const programs: Readonly<Record<string, Tool>> = { stress };
