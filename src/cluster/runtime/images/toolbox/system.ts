import { readdirSync, readFileSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { contextEnv } from '../lib/context.ts';
import { type Tool, type ToolIO, write } from '../lib/tool.ts';

/** Process and environment tools, with busybox's output and messages. */

export const trueTool: Tool = async () => 0;
export const falseTool: Tool = async () => 1;

export const echo: Tool = async (io) => {
  let args = io.argv.slice(1);
  let newline = true;
  let escapes = false;
  while (args[0] && /^-[neE]+$/.test(args[0])) {
    if (args[0].includes('n')) newline = false;
    if (args[0].includes('e')) escapes = true;
    args = args.slice(1);
  }
  let text = args.join(' ');
  if (escapes)
    text = text.replace(/\\([ntr\\])/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r', '\\': '\\' })[c]!);
  await write(io.stdout, newline ? `${text}\n` : text);
  return 0;
};

/** Durations as busybox sleep takes them: 5, 0.5, 10s, 2m, 1h, 1d, or "infinity". */
export function parseDuration(text: string): number | undefined {
  if (text === 'infinity' || text === 'inf') return Number.POSITIVE_INFINITY;
  const m = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as '' | 's']!;
}

export const sleep: Tool = async (io) => {
  const args = io.argv.slice(1);
  if (!args.length) {
    await write(io.stderr, 'BusyBox v1.37.0 multi-call binary.\n\nUsage: sleep [N]...\n');
    return 1;
  }
  let ms = 0;
  for (const arg of args) {
    const d = parseDuration(arg);
    if (d === undefined) {
      await write(io.stderr, `sleep: invalid number '${arg}'\n`);
      return 1;
    }
    ms += d;
  }
  await new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    // setTimeout takes at most ~24.8 days; longer sleeps re-arm.
    const arm = (left: number) => {
      if (left <= 0) resolve();
      else timer = setTimeout(() => arm(left - Math.min(left, 2 ** 31 - 1)), Math.min(left, 2 ** 31 - 1));
    };
    io.signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
    arm(ms);
  });
  return io.signal.aborted ? 130 : 0;
};

/** seq [FIRST [STEP]] LAST, for loops such as `for i in $(seq 1 5)`. */
export const seq: Tool = async (io) => {
  const numbers = io.argv.slice(1).map(Number);
  if (!numbers.length || numbers.some(Number.isNaN)) {
    await write(
      io.stderr,
      'BusyBox v1.37.0 multi-call binary.\n\nUsage: seq [-w] [-s SEP] [FIRST [INC]] LAST\n',
    );
    return 1;
  }
  const [first, step, last] =
    numbers.length === 1
      ? [1, 1, numbers[0]!]
      : numbers.length === 2
        ? [numbers[0]!, 1, numbers[1]!]
        : numbers;
  let out = '';
  for (let n = first!; step! > 0 ? n <= last! : n >= last!; n += step!) out += `${n}\n`;
  await write(io.stdout, out);
  return 0;
};

export const env: Tool = async (io) => {
  for (const [key, value] of io.env) await write(io.stdout, `${key}=${value}\n`);
  return 0;
};

export const printenv: Tool = async (io) => {
  const names = io.argv.slice(1);
  if (!names.length) return env(io);
  let status = 0;
  for (const name of names) {
    const value = io.env.get(name);
    if (value === undefined) status = 1;
    else await write(io.stdout, `${value}\n`);
  }
  return status;
};

/** hostname, or with -i the pod's address. */
export const hostname: Tool = async (io) => {
  await write(io.stdout, `${io.argv.includes('-i') ? io.lab.context.podIP : io.lab.context.hostname}\n`);
  return 0;
};

export const pwd: Tool = async (io) => {
  await write(io.stdout, `${io.cwd}\n`);
  return 0;
};

export const id: Tool = async (io) => {
  await write(io.stdout, 'uid=0(root) gid=0(root) groups=0(root),10(wheel)\n');
  return 0;
};

const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** date, in UTC like a container without a zoneinfo: `Wed Nov 25 19:00:00 UTC 2026`, or +FORMAT. */
export const date: Tool = async (io) => {
  const t = new Date();
  const fields: Record<string, string> = {
    Y: String(t.getUTCFullYear()),
    m: two(t.getUTCMonth() + 1),
    d: two(t.getUTCDate()),
    H: two(t.getUTCHours()),
    M: two(t.getUTCMinutes()),
    S: two(t.getUTCSeconds()),
    s: String(Math.floor(t.getTime() / 1000)),
    Z: 'UTC',
    a: days[t.getUTCDay()]!,
    b: months[t.getUTCMonth()]!,
    e: String(t.getUTCDate()).padStart(2),
    T: `${two(t.getUTCHours())}:${two(t.getUTCMinutes())}:${two(t.getUTCSeconds())}`,
    '%': '%',
  };
  const format = io.argv.find((a) => a.startsWith('+'))?.slice(1) ?? '%a %b %e %T %Z %Y';
  await write(io.stdout, `${format.replace(/%(.)/g, (all, c: string) => fields[c] ?? all)}\n`);
  return 0;
};

/** test / [: the file, string and integer tests scripts use in conditions. */
export const test: Tool = async (io) => {
  let args = io.argv.slice(1);
  if (io.argv[0]?.endsWith('[')) {
    if (args.at(-1) !== ']') {
      await write(io.stderr, '[: missing ]\n');
      return 2;
    }
    args = args.slice(0, -1);
  }
  const evaluate = (a: string[]): boolean => {
    if (a[0] === '!') return !evaluate(a.slice(1));
    if (a.length === 0) return false;
    if (a.length === 1) return a[0] !== '';
    if (a.length === 2) {
      const [op, operand] = a as [string, string];
      if (op === '-z') return operand === '';
      if (op === '-n') return operand !== '';
      const info = (() => {
        try {
          return statSync(io.lab.fs.hostPath(operand, io.cwd));
        } catch {
          return undefined;
        }
      })();
      if (op === '-e') return info !== undefined;
      if (op === '-f') return info?.isFile() ?? false;
      if (op === '-d') return info?.isDirectory() ?? false;
      if (op === '-s') return (info?.size ?? 0) > 0;
      return false;
    }
    const [l, op, r] = a as [string, string, string];
    const numbers: Record<string, (x: number, y: number) => boolean> = {
      '-eq': (x, y) => x === y,
      '-ne': (x, y) => x !== y,
      '-lt': (x, y) => x < y,
      '-le': (x, y) => x <= y,
      '-gt': (x, y) => x > y,
      '-ge': (x, y) => x >= y,
    };
    if (op === '=' || op === '==') return l === r;
    if (op === '!=') return l !== r;
    return numbers[op]?.(Number(l), Number(r)) ?? false;
  };
  return evaluate(args) ? 0 : 1;
};

interface ContainerProcess {
  readonly pid: number;
  /** The container's main process, its PID 1. */
  readonly init: boolean;
  readonly argv: string[];
  readonly cpuSeconds: number;
}

/**
 * The processes of this container: the host processes whose environment carries this container's
 * ID. There is no PID namespace, so PIDs are the host's, which lets a learner find them with ps.
 */
function containerProcesses(containerId: string): ContainerProcess[] {
  const out: ContainerProcess[] = [];
  const marker = `${contextEnv.containerId}=${containerId}`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (!environ.includes(marker)) continue;
      // node <bundle> argv...: the container sees only argv.
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean).slice(2);
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]);
      out.push({
        pid: Number(entry),
        init: environ.includes(`${contextEnv.pid1}=1`),
        argv,
        cpuSeconds: ticks / 100,
      });
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

export const ps: Tool = async (io) => {
  let text = 'PID   USER     TIME  COMMAND\n';
  for (const p of containerProcesses(io.lab.context.containerId)) {
    const time = `${Math.floor(p.cpuSeconds / 60)}:${two(Math.floor(p.cpuSeconds % 60))}`;
    text += `${String(p.pid).padStart(5)} root     ${time.padStart(5)} ${p.argv.join(' ')}\n`;
  }
  await write(io.stdout, text);
  return 0;
};

export const kill: Tool = async (io: ToolIO) => {
  let args = io.argv.slice(1);
  let signal = 'SIGTERM';
  if (args[0] === '-l') {
    await write(
      io.stdout,
      `${Object.keys(constants.signals)
        .map((s) => s.slice(3))
        .join(' ')}\n`,
    );
    return 0;
  }
  if (args[0] === '-s' && args[1]) {
    signal = args[1];
    args = args.slice(2);
  } else if (args[0]?.startsWith('-')) {
    signal = args[0].slice(1);
    args = args.slice(1);
  }
  const number = Number(signal);
  const name = Number.isInteger(number) ? number : signal.startsWith('SIG') ? signal : `SIG${signal}`;
  const ours = new Map(containerProcesses(io.lab.context.containerId).map((p) => [p.pid, p]));
  let status = 0;
  for (const arg of args) {
    const target = ours.get(Number(arg));
    try {
      // Only this container's processes are visible, as in a PID namespace.
      if (!target) throw new Error('No such process');
      // Linux drops SIGKILL and SIGSTOP sent to a namespace's init from inside it.
      if (target.init && ['SIGKILL', 'SIGSTOP', 9, 19].includes(name)) continue;
      process.kill(target.pid, name as NodeJS.Signals | number);
    } catch {
      await write(io.stderr, `sh: can't kill pid ${arg}: No such process\n`);
      status = 1;
    }
  }
  return status;
};
