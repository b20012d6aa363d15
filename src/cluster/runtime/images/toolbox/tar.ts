import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, link, lstat, mkdir, readdir, readlink, rm, stat, symlink, utimes } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { ReadOnlyFileSystemError } from '../lib/fs.ts';
import { type Tool, type ToolIO, write } from '../lib/tool.ts';
import { endOfArchive, headerBlocks, padding, readEntries, TarFormatError, type TarHeader } from './ustar.ts';

/**
 * tar as busybox has it: create (c), extract (x) and list (t) an archive in a file or on stdin and
 * stdout (f -), -C to change directory first. What `kubectl cp` runs in a container: `tar cf -
 * <path>` to copy out, `tar -xmf - -C <dir>` (with --no-same-permissions --no-same-owner under
 * --no-preserve) to copy in. The container runs as root, so owners are always root.
 */

interface TarOptions {
  readonly mode: 'c' | 'x' | 't';
  readonly file: string;
  readonly directory: string;
  readonly verbose: boolean;
  /** m: leave extracted files with the time of extraction rather than the archive's. */
  readonly touch: boolean;
  readonly operands: readonly string[];
}

const usage =
  'BusyBox v1.37.0 multi-call binary.\n\n' +
  'Usage: tar c|x|t [-vm] [-f TARFILE] [-C DIR] [FILE]...\n\n' +
  'Create, extract, or list files from a tar file\n';

// Long options accepted for GNU tar compatibility; the lab's files are all root's anyway.
const ignoredLongOptions = new Set([
  '--no-same-permissions',
  '--no-same-owner',
  '--same-owner',
  '--numeric-owner',
]);

/**
 * Parses tar's two argument styles: a first word without a dash is a bundle of letters whose values
 * (f, C) are the next words in order ("cf - dir"); otherwise -xmf - -C dir, -Cdir, --directory=dir.
 */
function parseOptions(argv: readonly string[]): TarOptions | string {
  let mode: TarOptions['mode'] | undefined;
  let file = '-';
  let directory = '.';
  let verbose = false;
  let touch = false;
  const operands: string[] = [];
  const args = argv.slice(1);
  const letter = (flag: string, value: () => string | undefined): string | undefined => {
    if (flag === 'c' || flag === 'x' || flag === 't') {
      if (mode && mode !== flag) return "tar: only one of 'c', 'x' or 't' may be given\n";
      mode = flag;
    } else if (flag === 'v') verbose = true;
    else if (flag === 'm') touch = true;
    else if (flag === 'o' || flag === 'p') {
      // ownership and permissions: the lab's files are root's, permissions are always kept
    } else if (flag === 'f' || flag === 'C') {
      const v = value();
      if (v === undefined) return `tar: option requires an argument -- '${flag}'\n${usage}`;
      if (flag === 'f') file = v;
      else directory = v;
    } else return `tar: invalid option -- '${flag}'\n${usage}`;
    return undefined;
  };
  let i = 0;
  if (args[0] && !args[0].startsWith('-')) {
    const bundle = args[i++]!;
    for (const flag of bundle) {
      const error = letter(flag, () => args[i++]);
      if (error) return error;
    }
  }
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const [name, value] = arg.split(/=(.*)/s, 2) as [string, string | undefined];
      if (name === '--directory' && value !== undefined) directory = value;
      else if (name === '--file' && value !== undefined) file = value;
      else if (!ignoredLongOptions.has(arg)) return `tar: unrecognized option '${arg}'\n${usage}`;
    } else if (arg.startsWith('-') && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const flag = arg[j]!;
        const takesValue = flag === 'f' || flag === 'C';
        const error = letter(flag, () => (j + 1 < arg.length ? arg.slice(j + 1) : args[++i]));
        if (error) return error;
        if (takesValue) break;
      }
    } else operands.push(arg);
  }
  if (!mode) return `tar: need at least one of 'c', 'x' or 't'\n${usage}`;
  if (mode === 'c' && operands.length === 0) return 'tar: empty archive\n';
  return { mode, file, directory, verbose, touch, operands };
}

export const tar: Tool = async (io) => {
  const options = parseOptions(io.argv);
  if (typeof options === 'string') {
    await write(io.stderr, options);
    return 1;
  }
  const directory = io.lab.fs.hostPath(options.directory, io.cwd);
  if (!(await stat(directory).catch(() => undefined))?.isDirectory()) {
    await write(
      io.stderr,
      `tar: can't change directory to '${options.directory}': No such file or directory\n`,
    );
    return 1;
  }
  try {
    if (options.mode === 'c') return await create(io, options);
    return await extract(io, options);
  } catch (err) {
    await write(io.stderr, `tar: ${failure(err)}\n`);
    return 1;
  }
};

/** Writes the archive of `operands` (taken relative to -C), recursing into directories. */
async function create(io: ToolIO, options: TarOptions): Promise<number> {
  const toStdout = options.file === '-';
  const out: Writable = toStdout
    ? io.stdout
    : createWriteStream(io.lab.fs.writableHostPath(options.file, io.cwd));
  // Verbose names go where the archive does not.
  const log = toStdout ? io.stderr : io.stdout;
  const base = posix.resolve(io.cwd, options.directory);
  let status = 0;
  let warnedAbsolute = false;

  const add = async (operand: string, name: string): Promise<void> => {
    const hostPath = io.lab.fs.hostPath(operand, base);
    const info = await lstat(hostPath).catch(() => undefined);
    if (!info) {
      await write(io.stderr, `tar: ${operand}: No such file or directory\n`);
      status = 1;
      return;
    }
    const common = { mode: info.mode & 0o7777, mtime: Math.floor(info.mtimeMs / 1000) };
    if (options.verbose) await write(log, `${info.isDirectory() ? `${name}/` : name}\n`);
    if (info.isDirectory()) {
      await emit(out, { ...common, name: `${name}/`, type: 'directory', size: 0 });
      for (const child of (await readdir(hostPath)).sort())
        await add(posix.join(operand, child), `${name}/${child}`);
    } else if (info.isSymbolicLink()) {
      const linkname = await readlink(hostPath);
      await emit(out, { ...common, name, type: 'symlink', size: 0, linkname });
    } else if (info.isFile()) {
      await emit(out, { ...common, name, type: 'file', size: info.size });
      let written = 0;
      for await (const chunk of createReadStream(hostPath)) {
        written += (chunk as Buffer).length;
        await write(out, chunk as Buffer);
      }
      if (written !== info.size) throw new Error(`${operand}: file changed as we read it`);
      await write(out, padding(info.size));
    }
  };

  for (const operand of options.operands) {
    // Member names are relative, so an archive extracts where it is unpacked, not over /.
    const name = posix.normalize(operand).replace(/^\/+/, '').replace(/\/+$/, '') || '.';
    if (operand.startsWith('/') && !warnedAbsolute) {
      await write(io.stderr, "tar: removing leading '/' from member names\n");
      warnedAbsolute = true;
    }
    await add(operand, name);
  }
  await write(out, endOfArchive);
  if (!toStdout) {
    out.end();
    await finished(out);
  }
  return status;
}

async function emit(out: Writable, header: TarHeader): Promise<void> {
  for (const block of headerBlocks(header)) await write(out, block);
}

/** Lists (t) or extracts (x) the archive, members relative to -C; leading '/' and '../' removed. */
async function extract(io: ToolIO, options: TarOptions): Promise<number> {
  const input: Readable =
    options.file === '-' ? io.stdin : createReadStream(io.lab.fs.hostPath(options.file, io.cwd));
  const base = posix.resolve(io.cwd, options.directory);
  const wanted = options.operands.map((o) => o.replace(/\/+$/, ''));
  const times: { path: string; mtime: number }[] = [];
  let warned = false;
  for await (const { header, content } of readEntries(input)) {
    const safe = safeName(header.name);
    const stripped = header.name.startsWith('/')
      ? '/'
      : safe !== posix.normalize(header.name).replace(/\/+$/, '')
        ? '../'
        : '';
    if (stripped && !warned) {
      await write(io.stderr, `tar: removing leading '${stripped}' from member names\n`);
      warned = true;
    }
    if (wanted.length && !wanted.some((w) => safe === w || safe.startsWith(`${w}/`))) continue;
    if (options.mode === 't') {
      await write(io.stdout, `${header.name}\n`);
      continue;
    }
    if (options.verbose) await write(io.stdout, `${header.name}\n`);
    const containerPath = posix.join(base, safe);
    const hostPath = io.lab.fs.writableHostPath(containerPath);
    if (header.type !== 'directory') await mkdir(posix.dirname(hostPath), { recursive: true });
    switch (header.type) {
      case 'directory':
        await mkdir(hostPath, { recursive: true });
        await chmod(hostPath, header.mode);
        break;
      case 'file': {
        await rm(hostPath, { force: true });
        const file = createWriteStream(hostPath, { mode: header.mode });
        for await (const chunk of content) await write(file, chunk);
        file.end();
        await finished(file);
        await chmod(hostPath, header.mode);
        break;
      }
      case 'symlink':
        await rm(hostPath, { force: true });
        await symlink(header.linkname ?? '', hostPath);
        continue;
      case 'hardlink':
        await rm(hostPath, { force: true });
        await link(io.lab.fs.hostPath(safeName(header.linkname ?? ''), base), hostPath);
        break;
      case 'other':
        // devices and fifos: nothing a lab container can make
        continue;
    }
    if (!options.touch) times.push({ path: hostPath, mtime: header.mtime });
  }
  // Directories last and deepest first, since writing into a directory changes its time.
  for (const { path, mtime } of times.reverse()) await utimes(path, mtime, mtime);
  return 0;
}

/** The member name without leading '/' or '../' parts, so nothing lands outside -C. */
function safeName(name: string): string {
  const normal = posix.normalize(name.replace(/^\/+/, ''));
  const parts = normal.split('/');
  const up = parts.lastIndexOf('..');
  return (
    parts
      .slice(up + 1)
      .join('/')
      .replace(/\/+$/, '') || '.'
  );
}

/** The message for a failure, worded as busybox words it (host paths are no business of the container). */
function failure(err: unknown): string {
  if (err instanceof TarFormatError || err instanceof ReadOnlyFileSystemError) return err.message;
  const reasons: Record<string, string> = {
    ENOENT: 'No such file or directory',
    EACCES: 'Permission denied',
    ENOTDIR: 'Not a directory',
    EEXIST: 'File exists',
    EISDIR: 'Is a directory',
  };
  return reasons[(err as NodeJS.ErrnoException).code ?? ''] ?? (err as Error).message;
}
