import type { Key } from 'ink';
import { useCallback, useEffect, useRef, useState } from 'react';
import { splitWords } from './command-line.ts';
import { commandFor, PROMPT_COMMANDS, type RunningCommand, runCommand } from './commands.ts';
import { complete, type NameSource } from './completion.ts';
import { appendHistory, loadHistory } from './history.ts';
import type { LabSession } from './lab-session.ts';
import { applySetting, type Settings } from './settings.ts';

/** A scrollback line; `kind` picks its colour. */
export interface ReplLine {
  readonly id: number;
  readonly text: string;
  readonly kind: 'input' | 'stdout' | 'stderr' | 'info';
}

export interface Repl {
  readonly lines: readonly ReplLine[];
  readonly input: string;
  readonly running: boolean;
  /** Lines scrolled up from the bottom (PgUp/PgDn). */
  readonly scroll: number;
  onKey(input: string, key: Key): void;
}

const SCROLLBACK = 2000;
const HELP = [
  ...Object.entries(PROMPT_COMMANDS).map(([c, what]) => `  ${c.padEnd(8)} ${what}`),
  'Keys: ? help · : prompt · Tab/Shift-Tab panes · 1-5 tabs · / filter · Enter open · q quit',
  'At the prompt: ↑/↓ history · Tab complete · PgUp/PgDn scroll · Ctrl-C stop a command · Esc leave',
];

/** What the prompt hands the lesson engine: every line typed, and `lesson ...` commands to run. */
export interface LessonPrompt {
  typed(line: string): void;
  command(args: readonly string[]): Promise<readonly string[]>;
}

/**
 * useRepl is the prompt: an input line with history (kept in $ORCH_LAB_HOME/history), completion,
 * and a scrollback the commands it runs write into. One command runs at a time.
 */
export function useRepl(
  lab: LabSession,
  names: NameSource,
  settings: Settings,
  changeSettings: (next: Settings) => Promise<void>,
  lesson?: LessonPrompt,
): Repl {
  const [lines, setLines] = useState<readonly ReplLine[]>([]);
  const [input, setInput] = useState('');
  const [scroll, setScroll] = useState(0);
  const [running, setRunning] = useState<RunningCommand | undefined>();
  const history = useRef<string[]>([]);
  const historyAt = useRef(0);
  const nextId = useRef(0);
  /** The real kubectl stood in for the built-in one at least once (said once per session). */
  const fellBack = useRef(false);
  useEffect(() => {
    void loadHistory(lab.historyFile).then((loaded) => {
      history.current = [...loaded, ...history.current];
      historyAt.current = history.current.length;
    });
  }, [lab.historyFile]);
  const print = useCallback((texts: readonly string[], kind: ReplLine['kind']) => {
    setLines((old) =>
      [...old, ...texts.map((text) => ({ id: nextId.current++, text, kind }))].slice(-SCROLLBACK),
    );
  }, []);
  const submit = (line: string) => {
    print([`$ ${line}`], 'input');
    setScroll(0);
    if (!line.trim()) return;
    history.current.push(line);
    historyAt.current = history.current.length;
    void appendHistory(lab.historyFile, line).catch(() => {});
    const words = splitWords(line);
    lesson?.typed(line);
    // `lesson ...` (or `orch-lab lesson ...`) runs on the UI's own engine, which the Lesson tab shows.
    const lessonArgs =
      words[0] === 'lesson'
        ? words.slice(1)
        : words[0] === 'orch-lab' && words[1] === 'lesson'
          ? words.slice(2)
          : undefined;
    if (lesson && lessonArgs) {
      return void lesson.command(lessonArgs).then(
        (texts) => print(texts, 'stdout'),
        (err: Error) => print([`lesson: ${err.message}`], 'stderr'),
      );
    }
    if (words[0] === 'clear') return setLines([]);
    if (words[0] === 'help') return print(HELP, 'info');
    if (words[0] === 'setting') return setting(words.slice(1));
    const command = commandFor(words, lab, settings);
    if (!command) return print([`${words[0]}: unknown command; try help`], 'stderr');
    if (command.kind === 'program' && command.fallback && !fellBack.current) {
      fellBack.current = true;
      print(
        [
          `(the built-in kubectl does not cover this; the real kubectl runs it. 'setting kubectl real' uses it for all)`,
        ],
        'info',
      );
    }
    const started = runCommand(command, lab, (text, stream) => print([text], stream));
    setRunning(started);
    void started.done.then((code) => {
      if (code !== 0) print([`(exit ${code})`], 'info');
      setRunning(undefined);
    });
  };
  const setting = (words: readonly string[]) => {
    const [name, value] = words;
    if (!name || !value) {
      return print(
        Object.entries(settings).map(([k, v]) => `${k}: ${v}`),
        'info',
      );
    }
    const changed = applySetting(settings, name, value);
    if (typeof changed === 'string') return print([changed], 'stderr');
    print([`${name}: ${value}`], 'info');
    void changeSettings(changed).catch((err: Error) => print([err.message], 'stderr'));
  };
  const onKey = (typed: string, key: Key) => {
    if (key.ctrl && typed === 'c') return running?.kill();
    if (key.pageUp) return setScroll((s) => s + 5);
    if (key.pageDown) return setScroll((s) => Math.max(0, s - 5));
    if (running) return;
    if (key.return) {
      submit(input);
      return setInput('');
    }
    if (key.upArrow || key.downArrow) {
      historyAt.current = Math.max(
        0,
        Math.min(history.current.length, historyAt.current + (key.upArrow ? -1 : 1)),
      );
      return setInput(history.current[historyAt.current] ?? '');
    }
    if (key.tab) {
      const completed = complete(input, names);
      if (completed.candidates.length) print([completed.candidates.join('  ')], 'info');
      return setInput(completed.line);
    }
    if (key.backspace || key.delete) return setInput((s) => s.slice(0, -1));
    if (key.ctrl && typed === 'u') return setInput('');
    if (!typed || key.ctrl || key.meta || key.escape) return;
    // Pasted text (or keys typed faster than a frame) arrives as one chunk, its Enter a newline in it.
    const segments = typed.split(/\r\n|\r|\n/);
    if (segments.length === 1) return setInput((s) => s + typed);
    // Every segment but the last ended with Enter; the last is the start of the next line.
    submit(input + segments[0]);
    if (segments.length > 2)
      print(['(a paste runs its first line only; the other lines were dropped)'], 'info');
    setInput(segments.at(-1) ?? '');
  };
  return { lines, input, running: running !== undefined, scroll, onKey };
}
