import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { PassThrough, Readable, Writable } from 'node:stream';
import { type Tool, type ToolIO, write } from '../lib/tool.ts';
import {
  type AndOr,
  type Command,
  type List,
  parse,
  type Redirect,
  ShellSyntaxError,
  type Word,
} from './sh-parser.ts';

interface Streams {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
}

class Exit {
  constructor(readonly code: number) {}
}

/**
 * sh, as busybox's ash behaves for what pods run: `sh -c '...'`, a script on stdin, or, with a tty,
 * an interactive prompt `/ # ` whose line editing happens here because the learner's terminal is in
 * raw mode (kubectl exec -it). Programs run in this process; see sh-parser.ts for the grammar.
 */
export const sh: Tool = async (io) => {
  const shell = new Shell(io, new Map(io.env), io.cwd);
  const args = io.argv.slice(1);
  // A trap that runs `exit` ends the shell whatever it was doing.
  const trapExit = new Promise<number>((resolve) => {
    shell.onTrapExit = resolve;
  });
  let run: Promise<number>;
  if (args[0] === '-c') {
    if (args[1] === undefined) return shell.fail('sh: -c requires an argument', 2);
    shell.positional = args.slice(3);
    run = shell.run(args[1], io, io.signal).then((r) => r.code);
  } else if (args[0] !== undefined && !args[0].startsWith('-')) {
    return shell.fail(`sh: can't open '${args[0]}': scripts are not supported by the lab's sh`, 2);
  } else run = io.lab.context.tty ? interactive(shell, io) : script(shell, io);
  return Promise.race([run, trapExit]);
};

/** Runs stdin line by line as it arrives; a construct spanning lines waits for its end. */
async function script(shell: Shell, io: ToolIO): Promise<number> {
  let pending = '';
  let rest = '';
  for await (const chunk of io.stdin) {
    rest += chunk.toString();
    for (let nl = rest.indexOf('\n'); nl >= 0; nl = rest.indexOf('\n')) {
      pending += rest.slice(0, nl + 1);
      rest = rest.slice(nl + 1);
      if (incomplete(pending)) continue;
      const result = await shell.run(pending, io, io.signal);
      pending = '';
      if (result.exited) return result.code;
    }
  }
  const last = pending + rest;
  return last.trim() ? (await shell.run(last, io, io.signal)).code : shell.status;
}

function incomplete(source: string): boolean {
  try {
    parse(source);
    return false;
  } catch (err) {
    return err instanceof ShellSyntaxError && /end of file|unterminated|missing/.test(err.message);
  }
}

/** The prompt loop behind `kubectl exec -it POD -- sh`: echo, backspace, Ctrl-C, Ctrl-D. */
function interactive(shell: Shell, io: ToolIO): Promise<number> {
  return new Promise((resolve) => {
    let line = '';
    let pending = '';
    let inEscape = false;
    let running: { stdin: PassThrough; interrupt: AbortController } | undefined;
    const echo = (text: string) => io.stdout.write(text);
    const prompt = () => echo(pending ? '> ' : `${shell.cwd} # `);
    const finish = (code: number) => {
      io.stdin.removeListener('data', onData);
      io.stdin.pause();
      resolve(code);
    };
    const start = (source: string) => {
      const stdin = new PassThrough();
      const interrupt = new AbortController();
      running = { stdin, interrupt };
      void shell
        .run(source, { stdin, stdout: io.stdout, stderr: io.stderr }, interrupt.signal)
        .then((result) => {
          running = undefined;
          if (result.exited) return finish(result.code);
          prompt();
          const keys = typeAhead;
          typeAhead = '';
          if (keys) onData(keys);
        });
    };
    // Keys typed while a command runs that does not read its input wait for the next prompt.
    let typeAhead = '';
    const reading = (stdin: PassThrough) => stdin.listenerCount('data') + stdin.listenerCount('readable') > 0;
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString()) {
        if (running && ch === '\x03') {
          echo('^C\n');
          running.interrupt.abort();
        } else if (running && !reading(running.stdin)) typeAhead += ch;
        else if (running) {
          // A program reading its input (cat) gets the keys, echoed as a cooked terminal would.
          if (ch === '\x04') running.stdin.end();
          else {
            echo(ch === '\r' ? '\n' : ch);
            running.stdin.write(ch === '\r' ? '\n' : ch);
          }
        } else if (inEscape) {
          // Arrow keys and the like (ESC [ A): no history here, so they are swallowed.
          if (/[A-Za-z~]/.test(ch)) inEscape = false;
        } else if (ch === '\x1b') inEscape = true;
        else if (ch === '\r' || ch === '\n') {
          echo('\n');
          pending += `${line}\n`;
          line = '';
          if (incomplete(pending)) prompt();
          else {
            const source = pending;
            pending = '';
            start(source);
          }
        } else if (ch === '\x7f' || ch === '\b') {
          if (line) {
            line = line.slice(0, -1);
            echo('\b \b');
          }
        } else if (ch === '\x03') {
          line = '';
          pending = '';
          echo('^C\n');
          prompt();
        } else if (ch === '\x04') {
          if (!line) {
            echo('\n');
            return finish(shell.status);
          }
        } else if (ch >= ' ') {
          line += ch;
          echo(ch);
        }
      }
    };
    io.stdin.on('data', onData);
    // The terminal went away (kubectl exec ended): as on a hangup, the shell and what it runs end.
    io.stdin.once('end', () => finish(running ? 129 : shell.status));
    prompt();
  });
}

/**
 * One line of `stdin` without its newline, leaving what follows it for the next reader (the
 * shell's stdin is shared with the commands it runs); `ended` when input ended before a newline.
 */
async function readLine(stdin: Readable): Promise<{ line: string; ended: boolean }> {
  let line = '';
  for (;;) {
    const chunk: Buffer | string | null = stdin.read();
    if (chunk !== null) {
      line += chunk.toString();
      const nl = line.indexOf('\n');
      if (nl < 0) continue;
      if (nl + 1 < line.length) stdin.unshift(Buffer.from(line.slice(nl + 1)));
      return { line: line.slice(0, nl), ended: false };
    }
    if (stdin.readableEnded || stdin.destroyed) return { line, ended: true };
    await new Promise<void>((resolve) => {
      const done = () => {
        for (const event of ['readable', 'end', 'close']) stdin.off(event, done);
        resolve();
      };
      for (const event of ['readable', 'end', 'close']) stdin.once(event, done);
    });
  }
}

const nullOutput = () =>
  new Writable({
    write: (_chunk, _encoding, callback) => callback(),
  });

/** Shell state and the interpreter: variables, working directory, last status. */
const trapSignals: Record<string, NodeJS.Signals> = {
  HUP: 'SIGHUP',
  INT: 'SIGINT',
  QUIT: 'SIGQUIT',
  TERM: 'SIGTERM',
  USR1: 'SIGUSR1',
  USR2: 'SIGUSR2',
  '1': 'SIGHUP',
  '2': 'SIGINT',
  '3': 'SIGQUIT',
  '15': 'SIGTERM',
};

class Shell {
  positional: string[] = [];
  status = 0;
  /** Called when a trap's commands exit the shell. */
  onTrapExit: (code: number) => void = () => {};
  private readonly traps = new Map<NodeJS.Signals, () => void>();

  constructor(
    private readonly io: ToolIO,
    private readonly vars: Map<string, string>,
    public cwd: string,
  ) {}

  fail(message: string, code: number): number {
    this.io.stderr.write(`${message}\n`);
    return code;
  }

  /** Parses and runs `source`; `exited` says the shell itself should end (exit, or a syntax error in -c). */
  async run(
    source: string,
    streams: Streams,
    signal: AbortSignal,
  ): Promise<{ code: number; exited: boolean }> {
    let list: List;
    try {
      list = parse(source);
    } catch (err) {
      if (!(err instanceof ShellSyntaxError)) throw err;
      await write(streams.stderr, `sh: ${err.message}\n`);
      this.status = 2;
      return { code: 2, exited: false };
    }
    try {
      this.status = await this.list(list, streams, signal);
      return { code: this.status, exited: false };
    } catch (err) {
      if (err instanceof Exit) return { code: err.code, exited: true };
      throw err;
    }
  }

  private async list(list: List, s: Streams, signal: AbortSignal): Promise<number> {
    let status = 0;
    for (const item of list) {
      if (signal.aborted) return 130;
      status = await this.andOr(item, s, signal);
      this.status = status;
    }
    return status;
  }

  private async andOr(item: AndOr, s: Streams, signal: AbortSignal): Promise<number> {
    let status = await this.pipeline(item.first, s, signal);
    for (const { op, pipeline } of item.rest) {
      this.status = status;
      if ((op === '&&') === (status === 0)) status = await this.pipeline(pipeline, s, signal);
    }
    return status;
  }

  private async pipeline(p: AndOr['first'], s: Streams, signal: AbortSignal): Promise<number> {
    let status: number;
    if (p.commands.length === 1) status = await this.command(p.commands[0]!, s, signal);
    else {
      const pipes = p.commands.slice(1).map(() => new PassThrough().on('error', () => {}));
      const runs = p.commands.map(async (command, i) => {
        const stdin = i === 0 ? s.stdin : pipes[i - 1]!;
        const stdout = i === p.commands.length - 1 ? s.stdout : pipes[i]!;
        try {
          return await this.command(command, { stdin, stdout, stderr: s.stderr }, signal);
        } finally {
          if (stdout !== s.stdout) stdout.end();
          // A reader that stopped early (head) must not leave its writer waiting.
          if (stdin !== s.stdin) stdin.destroy();
        }
      });
      status = (await Promise.all(runs)).at(-1)!;
    }
    return p.negate ? Number(status === 0) : status;
  }

  private async command(command: Command, s: Streams, signal: AbortSignal): Promise<number> {
    const redirected = await this.redirect(command.redirects, s);
    if (typeof redirected === 'number') return redirected;
    try {
      return await this.commandBody(command, redirected.streams, signal);
    } finally {
      await redirected.close();
    }
  }

  private async commandBody(command: Command, s: Streams, signal: AbortSignal): Promise<number> {
    switch (command.kind) {
      case 'simple':
        return this.simple(command, s, signal);
      case 'group': {
        if (!command.subshell) return this.list(command.list, s, signal);
        const sub = new Shell(this.io, new Map(this.vars), this.cwd);
        sub.positional = this.positional;
        try {
          return await sub.list(command.list, s, signal);
        } catch (err) {
          if (err instanceof Exit) return err.code;
          throw err;
        }
      }
      case 'if': {
        for (const clause of command.clauses) {
          if ((await this.list(clause.cond, s, signal)) === 0) return this.list(clause.body, s, signal);
        }
        return command.otherwise ? this.list(command.otherwise, s, signal) : 0;
      }
      case 'loop': {
        let status = 0;
        while (!signal.aborted) {
          const cond = await this.list(command.cond, s, signal);
          if ((cond === 0) === command.until) break;
          status = await this.list(command.body, s, signal);
          // Let timers, signals and the lifeline in, even in a loop that never sleeps.
          await new Promise((resolve) => setImmediate(resolve));
        }
        return signal.aborted ? 130 : status;
      }
      case 'for': {
        const items = command.items
          ? (await Promise.all(command.items.map((w) => this.expand(w)))).flat()
          : this.positional;
        let status = 0;
        for (const item of items) {
          if (signal.aborted) return 130;
          this.vars.set(command.name, item);
          status = await this.list(command.body, s, signal);
        }
        return status;
      }
    }
  }

  private async simple(command: Extract<Command, { kind: 'simple' }>, s: Streams, signal: AbortSignal) {
    const argv = (await Promise.all(command.words.map((w) => this.expand(w)))).flat();
    const assigns = await Promise.all(
      command.assigns.map(async (a) => [a.name, (await this.expand(a.value, false)).join('')] as const),
    );
    if (argv.length === 0) {
      for (const [name, value] of assigns) this.vars.set(name, value);
      return 0;
    }
    if (argv[0] === 'read') return this.read(argv.slice(1), s);
    const builtin = this.builtin(argv, s);
    if (builtin !== undefined) return builtin;
    if (argv[0] === 'exec' && argv.length > 1)
      throw new Exit(await this.exec(argv.slice(1), assigns, s, signal));
    return this.exec(argv, assigns, s, signal);
  }

  private async exec(
    argv: string[],
    assigns: readonly (readonly [string, string])[],
    s: Streams,
    signal: AbortSignal,
  ): Promise<number> {
    const tool = this.io.lab.lookup(argv[0]!);
    if (!tool) {
      await write(s.stderr, `sh: ${argv[0]}: not found\n`);
      return 127;
    }
    const env = new Map(this.vars);
    for (const [name, value] of assigns) env.set(name, value);
    try {
      return await tool({ ...s, argv, env, cwd: this.cwd, lab: this.io.lab, signal });
    } catch (err) {
      await write(s.stderr, `${argv[0]}: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    }
  }

  /** The commands that change the shell itself; undefined when argv is not one. */
  private builtin(argv: string[], s: Streams): number | undefined {
    const [name, ...args] = argv;
    switch (name) {
      case 'exit':
        throw new Exit(args[0] === undefined ? this.status : Number(args[0]) & 255);
      case 'cd': {
        const target = args[0] ?? this.vars.get('HOME') ?? '/';
        const next = target.startsWith('/') ? target : `${this.cwd.replace(/\/$/, '')}/${target}`;
        const normalized = normalize(next);
        if (!isDirectory(this.io.lab.fs.hostPath(normalized))) {
          s.stderr.write(`sh: cd: can't cd to ${target}: No such file or directory\n`);
          return 2;
        }
        this.cwd = normalized;
        this.vars.set('PWD', normalized);
        return 0;
      }
      case 'export':
        for (const arg of args) {
          const eq = arg.indexOf('=');
          if (eq > 0) this.vars.set(arg.slice(0, eq), arg.slice(eq + 1));
        }
        return 0;
      case 'unset':
        for (const arg of args) this.vars.delete(arg);
        return 0;
      case 'trap':
        return this.trap(args, s);
      case ':':
      case 'set':
        return 0;
      default:
        return undefined;
    }
  }

  /**
   * read [-r] [NAME...]: one line of input into the names, split on blanks with the rest of the
   * line in the last (REPLY without names); without -r a backslash keeps the next character.
   * Status 1 at end of input, as a `while read line` loop needs.
   */
  private async read(args: string[], s: Streams): Promise<number> {
    const raw = args[0] === '-r';
    const names = raw ? args.slice(1) : args;
    const input = await readLine(s.stdin);
    const line = raw ? input.line : input.line.replace(/\\(.)/g, '$1');
    if (names.length === 0) this.vars.set('REPLY', line);
    let rest = line.trim();
    names.forEach((name, i) => {
      const field = i === names.length - 1 ? rest : (rest.match(/^\S*/)?.[0] ?? '');
      this.vars.set(name, field);
      rest = rest.slice(field.length).trimStart();
    });
    return input.ended ? 1 : 0;
  }

  /**
   * trap ACTION SIGNAL...: run ACTION when the process gets the signal ('' ignores it, - restores
   * the default), the usual way a container's shell script shuts down cleanly on SIGTERM.
   */
  private trap(args: string[], s: Streams): number {
    const [action, ...names] = args;
    if (action === undefined) return 0;
    for (const name of names) {
      const signal = trapSignals[name.replace(/^SIG/, '')];
      if (!signal) {
        s.stderr.write(`sh: trap: ${name}: invalid signal specification\n`);
        return 1;
      }
      const previous = this.traps.get(signal);
      if (previous) process.off(signal, previous);
      this.traps.delete(signal);
      if (action === '-') continue;
      const handler = () => {
        if (!action) return;
        void this.run(action, this.io, this.io.signal).then((result) => {
          if (result.exited) this.onTrapExit(result.code);
        });
      };
      this.traps.set(signal, handler);
      process.on(signal, handler);
    }
    return 0;
  }

  /** Opens the command's redirections; a number is the failure status when one cannot be opened. */
  private async redirect(
    redirects: readonly Redirect[],
    s: Streams,
  ): Promise<number | { streams: Streams; close: () => Promise<void> }> {
    const fds: [Readable, Writable, Writable] = [s.stdin, s.stdout, s.stderr];
    const opened: Writable[] = [];
    for (const r of redirects) {
      const target = (await this.expand(r.target)).join(' ');
      if (r.op === '>&') {
        const from = fds[Number(target) as 1 | 2];
        if (from && r.fd > 0) fds[r.fd as 1 | 2] = from;
        continue;
      }
      if (r.op === '<') {
        const input = await this.openInput(target);
        if (!input) {
          await write(s.stderr, `sh: can't open '${target}': No such file or directory\n`);
          return 1;
        }
        fds[0] = input;
        continue;
      }
      const output = await this.openOutput(target, r.op === '>>');
      if (typeof output === 'string') {
        await write(s.stderr, `sh: can't create ${target}: ${output}\n`);
        return 1;
      }
      opened.push(output);
      if (r.fd === 1 || r.fd === 2) fds[r.fd] = output;
    }
    const close = async () => {
      await Promise.all(opened.map((w) => new Promise((resolve) => w.end(resolve))));
    };
    return { streams: { stdin: fds[0], stdout: fds[1], stderr: fds[2] }, close };
  }

  private openInput(path: string): Promise<Readable | undefined> {
    if (path === '/dev/null') return Promise.resolve(Readable.from([]));
    const stream = createReadStream(this.io.lab.fs.hostPath(path, this.cwd));
    return new Promise((resolve) => {
      stream.once('open', () => resolve(stream)).once('error', () => resolve(undefined));
    });
  }

  /** The opened file, or why it could not be created, in busybox's words. */
  private openOutput(path: string, append: boolean): Promise<Writable | string> {
    if (path === '/dev/null') return Promise.resolve(nullOutput());
    let host: string;
    try {
      host = this.io.lab.fs.writableHostPath(path, this.cwd);
    } catch (err) {
      return Promise.resolve((err as Error).message);
    }
    const stream = createWriteStream(host, { flags: append ? 'a' : 'w' });
    return new Promise((resolve) => {
      stream.once('open', () => resolve(stream)).once('error', () => resolve('nonexistent directory'));
    });
  }

  /** A word's fields after parameter, command and arithmetic expansion and field splitting. */
  async expand(word: Word, split = true): Promise<string[]> {
    const fields: string[] = [];
    let current = '';
    let started = false;
    const addSplit = (value: string) => {
      const pieces = split ? value.split(/[ \t\n]+/) : [value];
      pieces.forEach((piece, i) => {
        if (i > 0) {
          if (started) fields.push(current);
          current = '';
          started = false;
        }
        if (piece) {
          current += piece;
          started = true;
        }
      });
    };
    for (const part of word) {
      if (part.kind === 'text') {
        current += part.text;
        started ||= part.quoted || part.text !== '';
      } else if (part.kind === 'arith') {
        current += String(evaluateArithmetic(part.expr, (name) => Number(this.vars.get(name) ?? 0)));
        started = true;
      } else {
        let value: string;
        if (part.kind === 'param') {
          value = this.param(part.name);
          if (!value && part.fallback) value = (await this.expand(part.fallback, false)).join('');
        } else value = await this.substitute(part.source);
        if (part.quoted) {
          current += value;
          started = true;
        } else addSplit(value);
      }
    }
    if (started) fields.push(current);
    return fields;
  }

  private param(name: string): string {
    if (name === '?') return String(this.status);
    if (name === '$') return String(process.pid);
    if (name === '#') return String(this.positional.length);
    if (name === '@' || name === '*') return this.positional.join(' ');
    if (name === '0') return 'sh';
    if (/^[1-9]$/.test(name)) return this.positional[Number(name) - 1] ?? '';
    return this.vars.get(name) ?? '';
  }

  /** $(...): the output of the commands, run in a subshell, without trailing newlines. */
  private async substitute(source: string): Promise<string> {
    const chunks: Buffer[] = [];
    const stdout = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(Buffer.from(chunk));
        callback();
      },
    });
    const sub = new Shell(this.io, new Map(this.vars), this.cwd);
    const result = await sub.run(
      source,
      { stdin: Readable.from([]), stdout, stderr: this.io.stderr },
      this.io.signal,
    );
    this.status = result.code;
    return Buffer.concat(chunks).toString().replace(/\n+$/, '');
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function normalize(path: string): string {
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '..') out.pop();
    else if (seg && seg !== '.') out.push(seg);
  }
  return `/${out.join('/')}`;
}

/** $((expr)): integer arithmetic with + - * / %, comparisons, && || and parentheses. */
export function evaluateArithmetic(expr: string, lookup: (name: string) => number): number {
  const tokens = expr.match(/\d+|[A-Za-z_][A-Za-z0-9_]*|&&|\|\||[<>=!]=|[-+*/%()<>!]/g) ?? [];
  let pos = 0;
  const binary: Record<string, [number, (a: number, b: number) => number]> = {
    '||': [1, (a, b) => Number(a !== 0 || b !== 0)],
    '&&': [2, (a, b) => Number(a !== 0 && b !== 0)],
    '==': [3, (a, b) => Number(a === b)],
    '!=': [3, (a, b) => Number(a !== b)],
    '<': [4, (a, b) => Number(a < b)],
    '>': [4, (a, b) => Number(a > b)],
    '<=': [4, (a, b) => Number(a <= b)],
    '>=': [4, (a, b) => Number(a >= b)],
    '+': [5, (a, b) => a + b],
    '-': [5, (a, b) => a - b],
    '*': [6, (a, b) => a * b],
    '/': [6, (a, b) => Math.trunc(a / b)],
    '%': [6, (a, b) => a % b],
  };
  const primary = (): number => {
    const token = tokens[pos++];
    if (token === '(') {
      const value = expression(0);
      pos++;
      return value;
    }
    if (token === '-') return -primary();
    if (token === '+') return primary();
    if (token === '!') return Number(primary() === 0);
    if (token === undefined) return 0;
    return /^\d/.test(token) ? Number(token) : lookup(token);
  };
  const expression = (min: number): number => {
    let left = primary();
    for (let op = binary[tokens[pos] ?? '']; op && op[0] > min; op = binary[tokens[pos] ?? '']) {
      pos++;
      left = op[1](left, expression(op[0]));
    }
    return left;
  };
  return expression(0);
}
