import type { Stats } from 'node:fs';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { ReadOnlyFileSystemError } from '../lib/fs.ts';
import { type Tool, type ToolIO, write } from '../lib/tool.ts';

/** File tools, with busybox's options and messages, seeing the container's paths (see lib/fs.ts). */

/** Splits argv into flags (single letters, -n5 style values kept whole) and operands. */
function options(argv: readonly string[]): {
  flags: Set<string>;
  values: Map<string, string>;
  rest: string[];
} {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const rest: string[] = [];
  const withValue = new Set(['n', 'c']);
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i + 1));
      break;
    }
    if (/^-[0-9]+$/.test(arg)) values.set('n', arg.slice(1));
    else if (arg.startsWith('-') && arg.length > 1 && rest.length === 0) {
      for (let j = 1; j < arg.length; j++) {
        const flag = arg[j]!;
        if (withValue.has(flag)) {
          values.set(flag, arg.slice(j + 1) || argv[++i] || '');
          break;
        }
        flags.add(flag);
      }
    } else rest.push(arg);
  }
  return { flags, values, rest };
}

/** The bytes of the named files in turn, or of stdin when there are none (or for "-"). */
async function* inputs(io: ToolIO, files: readonly string[], name: string): AsyncGenerator<Buffer> {
  for (const file of files.length ? files : ['-']) {
    if (file === '-') {
      for await (const chunk of io.stdin) yield Buffer.from(chunk);
      continue;
    }
    try {
      for await (const chunk of createReadStream(io.lab.fs.hostPath(file, io.cwd))) yield chunk as Buffer;
    } catch (err) {
      const reason =
        (err as NodeJS.ErrnoException).code === 'EISDIR' ? 'Is a directory' : 'No such file or directory';
      await write(io.stderr, `${name}: can't open '${file}': ${reason}\n`);
      failed.add(io);
    }
  }
}
// Which invocations hit a missing file, so they exit 1 after printing what they could.
const failed = new WeakSet<ToolIO>();

async function* lines(io: ToolIO, files: readonly string[], name: string): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of inputs(io, files, name)) {
    rest += chunk.toString('utf8');
    const parts = rest.split('\n');
    rest = parts.pop()!;
    for (const line of parts) yield `${line}\n`;
  }
  if (rest) yield rest;
}

export const cat: Tool = async (io) => {
  for await (const chunk of inputs(io, options(io.argv).rest, 'cat')) await write(io.stdout, chunk);
  return failed.has(io) ? 1 : 0;
};

export const head: Tool = async (io) => {
  const o = options(io.argv);
  let left = Number(o.values.get('n') ?? 10);
  if (left <= 0) return 0;
  for await (const line of lines(io, o.rest, 'head')) {
    await write(io.stdout, line);
    if (--left === 0) break;
  }
  return failed.has(io) ? 1 : 0;
};

export const tail: Tool = async (io) => {
  const o = options(io.argv);
  const n = Number((o.values.get('n') ?? '10').replace(/^\+/, ''));
  const kept: string[] = [];
  for await (const line of lines(io, o.rest, 'tail')) {
    kept.push(line);
    if (kept.length > n) kept.shift();
  }
  await write(io.stdout, kept.join(''));
  return failed.has(io) ? 1 : 0;
};

export const grep: Tool = async (io) => {
  const o = options(io.argv);
  const [pattern, ...files] = o.rest;
  if (pattern === undefined) {
    await write(io.stderr, 'BusyBox v1.37.0 multi-call binary.\n\nUsage: grep [-civnqF] PATTERN [FILE]...\n');
    return 2;
  }
  const source = o.flags.has('F') ? pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : pattern;
  const regex = new RegExp(source, o.flags.has('i') ? 'i' : '');
  let count = 0;
  let number = 0;
  for await (const line of lines(io, files, 'grep')) {
    number++;
    if (regex.test(line.replace(/\n$/, '')) === o.flags.has('v')) continue;
    count++;
    if (o.flags.has('q')) return 0;
    if (!o.flags.has('c'))
      await write(
        io.stdout,
        `${o.flags.has('n') ? `${number}:` : ''}${line.endsWith('\n') ? line : `${line}\n`}`,
      );
  }
  if (o.flags.has('c')) await write(io.stdout, `${count}\n`);
  return failed.has(io) ? 2 : count > 0 ? 0 : 1;
};

export const sort: Tool = async (io) => {
  const o = options(io.argv);
  const all: string[] = [];
  for await (const line of lines(io, o.rest, 'sort')) all.push(line.replace(/\n$/, ''));
  const numeric = (line: string) => Number.parseFloat(line) || 0;
  all.sort(o.flags.has('n') ? (a, b) => numeric(a) - numeric(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (o.flags.has('r')) all.reverse();
  const out = o.flags.has('u') ? all.filter((line, i) => i === 0 || line !== all[i - 1]) : all;
  await write(io.stdout, out.map((line) => `${line}\n`).join(''));
  return failed.has(io) ? 2 : 0;
};

export const wc: Tool = async (io) => {
  const o = options(io.argv);
  let lineCount = 0;
  let words = 0;
  let bytes = 0;
  let inWord = false;
  for await (const chunk of inputs(io, o.rest, 'wc')) {
    bytes += chunk.length;
    for (const byte of chunk) {
      if (byte === 10) lineCount++;
      const space = byte === 32 || (byte >= 9 && byte <= 13);
      if (!space && !inWord) words++;
      inWord = !space;
    }
  }
  const asked = ['l', 'w', 'c'].filter((f) => o.flags.has(f));
  const counts = { l: lineCount, w: words, c: bytes } as Record<string, number>;
  const shown = (asked.length ? asked : ['l', 'w', 'c']).map((f) => counts[f]!);
  // busybox pads every column but a lone one.
  const text = shown.length === 1 ? String(shown[0]) : shown.map((n) => String(n).padStart(7)).join(' ');
  await write(io.stdout, `${text}${o.rest.length ? ` ${o.rest.join(' ')}` : ''}\n`);
  return failed.has(io) ? 1 : 0;
};

export const mkdirTool: Tool = async (io) => {
  const o = options(io.argv);
  let status = 0;
  for (const dir of o.rest) {
    try {
      await mkdir(io.lab.fs.writableHostPath(dir, io.cwd), { recursive: o.flags.has('p') });
    } catch (err) {
      await write(io.stderr, `mkdir: can't create directory '${dir}': ${reason(err)}\n`);
      status = 1;
    }
  }
  return status;
};

export const touch: Tool = async (io) => {
  let status = 0;
  for (const file of options(io.argv).rest) {
    try {
      const path = io.lab.fs.writableHostPath(file, io.cwd);
      const now = new Date();
      await utimes(path, now, now).catch(() => writeFile(path, '', { flag: 'a' }));
    } catch (err) {
      await write(io.stderr, `touch: ${file}: ${reason(err)}\n`);
      status = 1;
    }
  }
  return status;
};

export const rmTool: Tool = async (io) => {
  const o = options(io.argv);
  const recursive = o.flags.has('r') || o.flags.has('R');
  let status = 0;
  for (const file of o.rest) {
    const path = io.lab.fs.hostPath(file, io.cwd);
    const info = await stat(path).catch(() => undefined);
    if (!info) {
      if (!o.flags.has('f')) {
        await write(io.stderr, `rm: can't remove '${file}': No such file or directory\n`);
        status = 1;
      }
    } else if (info.isDirectory() && !recursive) {
      await write(io.stderr, `rm: '${file}' is a directory\n`);
      status = 1;
    } else {
      try {
        await rm(io.lab.fs.writableHostPath(file, io.cwd), { recursive, force: true });
      } catch (err) {
        await write(io.stderr, `rm: can't remove '${file}': ${reason(err)}\n`);
        status = 1;
      }
    }
  }
  return status;
};

/** The strerror text busybox prints for a failed file operation. */
function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (err instanceof ReadOnlyFileSystemError) return err.message;
  return code === 'EEXIST' ? 'File exists' : 'No such file or directory';
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function mode(info: Stats): string {
  const type = info.isDirectory() ? 'd' : info.isSymbolicLink() ? 'l' : '-';
  const bits = ['r', 'w', 'x'];
  let out = type;
  for (let i = 8; i >= 0; i--) out += info.mode & (1 << i) ? bits[(8 - i) % 3] : '-';
  return out;
}

/** One `ls -l` line, in busybox's layout. */
function longLine(name: string, info: Stats): string {
  const t = info.mtime;
  const date = `${months[t.getUTCMonth()]} ${String(t.getUTCDate()).padStart(2)} ${String(t.getUTCHours()).padStart(2, '0')}:${String(t.getUTCMinutes()).padStart(2, '0')}`;
  return `${mode(info)} ${String(info.nlink).padStart(4)} root     root     ${String(info.size).padStart(9)} ${date} ${name}\n`;
}

export const ls: Tool = async (io) => {
  const o = options(io.argv);
  const targets = o.rest.length ? o.rest : ['.'];
  let status = 0;
  for (const [i, target] of targets.entries()) {
    const path = io.lab.fs.hostPath(target, io.cwd);
    const info = await stat(path).catch(() => undefined);
    if (!info) {
      await write(io.stderr, `ls: ${target}: No such file or directory\n`);
      status = 1;
      continue;
    }
    if (!info.isDirectory() || o.flags.has('d')) {
      await write(io.stdout, o.flags.has('l') ? longLine(target, info) : `${target}\n`);
      continue;
    }
    if (targets.length > 1) await write(io.stdout, `${i > 0 ? '\n' : ''}${target}:\n`);
    let names = (await readdir(path)).sort();
    if (!o.flags.has('a')) names = names.filter((n) => !n.startsWith('.'));
    else names = ['.', '..', ...names];
    for (const name of names) {
      if (!o.flags.has('l')) {
        await write(io.stdout, `${name}\n`);
        continue;
      }
      const entry = await stat(posix.join(path, name)).catch(() => undefined);
      if (entry) await write(io.stdout, longLine(name, entry));
    }
  }
  return status;
};
