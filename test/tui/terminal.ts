import { PassThrough, Writable } from 'node:stream';
import { Terminal } from '@xterm/headless';
import { render } from 'ink';
import type { ReactNode } from 'react';

/** An ink app drawn into a headless xterm, so a test reads the screen as a terminal shows it. */
export interface TestTerminal {
  /** The screen's rows, trailing blanks trimmed. */
  screen(): string[];
  /**
   * One row cell by cell, as the terminal laid it out: a wide letter (Hangul) fills its cell and
   * leaves the next one empty (''), so index i is the letter in column i.
   */
  cells(row: number): string[];
  /** Everything the app wrote, escape sequences included. */
  raw(): string;
  /**
   * Sends keys as a terminal would: text, or escape sequences such as '\x1b[A' (↑) and '\t'. It
   * resolves a moment later, so the next keys arrive as a separate read, as a person's keys do
   * (ink reads one chunk as one input: "lo\t" would be pasted text, not "lo" and Tab).
   */
  type(keys: string): Promise<void>;
  /** Waits until the screen shows `text` (a string or a pattern), failing with the screen after `timeoutMs`. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<string[]>;
  /** Draws another tree in the same terminal, as a state change would. */
  rerender(node: ReactNode): void;
  unmount(): void;
}

export const KEYS = {
  up: '\x1b[A',
  down: '\x1b[B',
  tab: '\t',
  shiftTab: '\x1b[Z',
  enter: '\r',
  escape: '\x1b',
};

export function renderInTerminal(node: ReactNode, size: { columns: number; rows: number }): TestTerminal {
  // convertEol: a tty's line discipline turns ink's \n into \r\n (onlcr); xterm alone does not.
  const term = new Terminal({
    cols: size.columns,
    rows: size.rows,
    allowProposedApi: true,
    convertEol: true,
  });
  let written = '';
  const stdout = Object.assign(
    new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        written += chunk.toString();
        term.write(typeof chunk === 'string' ? chunk : new Uint8Array(chunk), () => callback());
      },
    }),
    { columns: size.columns, rows: size.rows, isTTY: true },
  );
  const stdin = Object.assign(new PassThrough(), {
    isTTY: true,
    setRawMode: () => stdin,
    ref: () => stdin,
    unref: () => stdin,
  });
  const app = render(node, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    stderr: stdout as unknown as NodeJS.WriteStream,
    exitOnCtrlC: false,
    patchConsole: false,
    maxFps: 10,
  });
  const screen = () => {
    const buffer = term.buffer.active;
    return Array.from({ length: size.rows }, (_, i) =>
      (buffer.getLine(buffer.viewportY + i)?.translateToString(true) ?? '').trimEnd(),
    );
  };
  const cells = (row: number) => {
    const line = term.buffer.active.getLine(term.buffer.active.viewportY + row);
    return Array.from({ length: size.columns }, (_, x) => line?.getCell(x)?.getChars() ?? '');
  };
  return {
    screen,
    cells,
    raw: () => written,
    type: async (keys) => {
      stdin.write(keys);
      await new Promise((resolve) => setTimeout(resolve, 50));
    },
    async waitFor(text, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      const matches = (lines: string[]) =>
        typeof text === 'string' ? lines.some((l) => l.includes(text)) : text.test(lines.join('\n'));
      while (Date.now() < deadline) {
        const lines = screen();
        if (matches(lines)) return lines;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`the screen never showed ${text}:\n${screen().join('\n')}`);
    },
    rerender: (next) => app.rerender(next),
    unmount: () => app.unmount(),
  };
}

/**
 * The rows inside the bordered box whose first row holds `title` (a node's name): what a learner
 * reads as that box, with the neighbouring boxes cut away.
 */
export function boxText(screen: readonly string[], title: string): string[] {
  const top = screen.findIndex((l) => l.includes(title));
  if (top < 0) return [];
  const at = screen[top]!.indexOf(title);
  const left = screen[top]!.lastIndexOf('│', at);
  const right = screen[top]!.indexOf('│', at);
  const rows: string[] = [];
  for (let i = top; i < screen.length && screen[i]![left] === '│'; i++)
    rows.push(screen[i]!.slice(left + 1, right));
  return rows;
}
