import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Box } from 'ink';
import stringWidth from 'string-width';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RestClient } from '../../src/cluster/client/rest-client.ts';
import type { CheckResult } from '../../src/lessons/checks.ts';
import { LessonEngine, type LessonEntry, type LessonState } from '../../src/lessons/engine.ts';
import { Language } from '../../src/lessons/language.ts';
import { type LoadedLesson, loadLessons } from '../../src/lessons/loader.ts';
import { MESSAGES, say } from '../../src/lessons/messages.ts';
import { Progress } from '../../src/lessons/progress.ts';
import { renderList, renderState } from '../../src/lessons/render.ts';
import { LessonTab } from '../../src/tui/LessonTab.tsx';
import type { LessonSession } from '../../src/tui/use-lesson.ts';
import { renderInTerminal, type TestTerminal } from '../tui/terminal.ts';

// Every lesson, at every step, in both languages: as `orch-lab lesson` prints it (the renderer the
// CLI runs) and as the Lesson tab draws it in a headless terminal, where Hangul takes two columns.
// The tab must show every word of the step and keep its box's borders in their columns.

const lessons = await loadLessons();
const HANGUL = /[\uac00-\ud7a3]/;

/** A check that waits, as the engine reports one; its words come from the catalogue. */
const waiting: CheckResult = { ok: false, detail: say((m) => m.check.waitingForTyped('^kubectl get')) };

/** The learner at step `stepIndex` (steps.length: the lesson done), every hint asked for. */
function stateAt(lesson: LoadedLesson, stepIndex: number): LessonState {
  const step = lesson.steps[stepIndex];
  return {
    lesson,
    progress: {
      startedAt: '2025-01-01T00:00:00.000Z',
      done: lesson.steps.slice(0, stepIndex).map((s) => s.id),
      hints: step ? { [step.id]: step.hints.length } : {},
      secondsSpent: 245,
    },
    step,
    stepIndex,
    results: step ? [waiting] : [],
    hints: step?.hints ?? [],
  };
}

/** What the learner must be able to read at that point, in `language`. */
function textsAt(lesson: LoadedLesson, stepIndex: number, language: Language): string[] {
  const step = lesson.steps[stepIndex];
  const previous = lesson.steps[stepIndex - 1];
  return [
    lesson.title[language],
    ...(stepIndex === 0 ? [lesson.summary[language], ...lesson.objectives.map((o) => o[language])] : []),
    ...lesson.steps.slice(0, stepIndex).map((s) => s.title[language]),
    ...(previous ? [previous.underTheHood.text[language]] : []),
    ...(step
      ? [
          step.title[language],
          step.body[language].replaceAll('**', ''),
          ...step.commands,
          ...step.hints.map((h) => h[language]),
          waiting.detail[language],
        ]
      : [MESSAGES[language].complete(MESSAGES[language].duration(4, 5))]),
  ];
}

/** Text compared without its white space: wrapping may break a line at any space. */
const squeeze = (text: string) => text.replace(/\s+/g, '');

const cases = Language.options.flatMap((language) =>
  lessons.flatMap((lesson) =>
    Array.from({ length: lesson.steps.length + 1 }, (_, stepIndex) => ({ language, lesson, stepIndex })),
  ),
);

describe('orch-lab lesson output, in both languages', () => {
  it.each(Language.options)('lists every lesson in %s, titles in one column', (language) => {
    const entries: LessonEntry[] = lessons.map((lesson, i) => ({
      lesson,
      status: i === 0 ? 'done' : i === 1 ? 'in progress' : 'new',
      stepsDone: i === 1 ? 1 : 0,
      missing: lesson.requires.filter((f) => f !== 'etcd'),
    }));
    const lines = renderList(entries, language).map((l) => l.text);
    const m = MESSAGES[language];
    lessons.forEach((lesson, i) => {
      const line = lines[i]!;
      expect(line).toContain(lesson.title[language]);
      // Where the title starts, in columns: the same on every line, Korean minutes or not.
      expect(stringWidth(line.slice(0, line.indexOf(lesson.title[language])))).toBe(34);
    });
    expect(lines[0]).toMatch(new RegExp(`— ${m.status.done}$`));
    expect(lines[1]).toContain(m.status.inProgress(1, lessons[1]!.steps.length));
    expect(lines.find((l) => l.includes(' ingress '))).toContain(m.features.ingress);
  });

  it.each(cases.map((c) => [c.language, c.lesson.id, c.stepIndex, c] as const))(
    '%s: %s at step %i prints every text of the step in that language',
    (language, _id, stepIndex, { lesson }) => {
      const printed = renderState(stateAt(lesson, stepIndex), language).map((l) => l.text);
      const all = squeeze(printed.join('\n'));
      for (const text of textsAt(lesson, stepIndex, language)) expect(all).toContain(squeeze(text));
      const other: Language = language === 'en' ? 'ko' : 'en';
      expect(printed[0]).not.toContain(lesson.title[other]);
      const step = lesson.steps[stepIndex];
      if (step) for (const hint of step.hints) expect(all).not.toContain(squeeze(hint[other]));
      // Korean output is Korean around the lesson's own text too; English has no Hangul at all.
      if (language === 'ko') {
        expect(printed.join('\n')).not.toMatch(/Under the hood|Hint \d|Stuck\?|step \d|Objectives/);
      } else expect(printed.join('\n')).not.toMatch(HANGUL);
    },
  );
});

describe('the Lesson tab, in both languages, laid out by display width', () => {
  let engine: LessonEngine;
  let client: RestClient;
  let home: string;
  const terminals: TestTerminal[] = [];

  beforeAll(async () => {
    // The tab needs a loaded engine; nothing here asks it anything, so its client goes nowhere.
    home = await mkdtemp(join(tmpdir(), 'orch-lab-lesson-tab-'));
    client = new RestClient(
      {
        contextName: 'none',
        server: 'https://127.0.0.1:9',
        insecureSkipTlsVerify: true,
        namespace: 'default',
      },
      { component: 'lesson-tab-test' },
    );
    engine = new LessonEngine({
      lessons,
      client,
      progress: await Progress.open(join(home, 'progress.json')),
      features: new Set(),
    });
  });

  afterAll(async () => {
    for (const term of terminals) term.unmount();
    client?.close();
    await rm(home, { recursive: true, force: true });
  });

  /** The tab inside a bordered box, as the main screen frames it. */
  const tab = (session: LessonSession, columns: number, rows: number) => (
    <Box flexDirection="column" width={columns} height={rows - 1} borderStyle="single" paddingX={1}>
      <LessonTab width={columns - 4} height={rows - 3} filter="" selected={-1} lesson={session} />
    </Box>
  );

  /** Every row of the box has its borders in the first and the last column, and nothing past them. */
  function expectAlignedBox(term: TestTerminal, columns: number, rows: number): void {
    const last = rows - 2;
    for (let y = 0; y <= last; y++) {
      const cells = term.cells(y);
      const [left, right] = y === 0 ? ['┌', '┐'] : y === last ? ['└', '┘'] : ['│', '│'];
      expect(cells[0], `row ${y}: ${term.screen()[y]}`).toBe(left);
      expect(cells[columns - 1], `row ${y}: ${term.screen()[y]}`).toBe(right);
    }
    expect(term.screen()[rows - 1]).toBe('');
  }

  /** What the box shows, its borders cut away. */
  const inside = (term: TestTerminal) =>
    term
      .screen()
      .map((row) => row.replace(/^[│┌└]/, '').replace(/[│┐┘]$/, ''))
      .join('\n');

  async function drawEveryStep(language: Language, columns: number, rows: number, only?: string) {
    const term = renderInTerminal(<Box />, { columns, rows });
    terminals.push(term);
    for (const lesson of lessons.filter((l) => !only || l.id === only)) {
      for (let stepIndex = 0; stepIndex <= lesson.steps.length; stepIndex++) {
        const state = stateAt(lesson, stepIndex);
        term.rerender(tab({ engine, state, language }, columns, rows));
        const title = renderState(state, language)[0]!.text;
        await term.waitFor(title.slice(0, 12));
        // The next frame may still be on its way: wait until the step's last text is drawn.
        const texts = textsAt(lesson, stepIndex, language);
        const shown = await waitForAll(term, texts);
        for (const text of texts)
          expect(shown, `${lesson.id} step ${stepIndex + 1}`).toContain(squeeze(text));
        expectAlignedBox(term, columns, rows);
      }
    }
    return term;
  }

  /** The box's text once every one of `texts` is on screen (or what it shows after 5 s). */
  async function waitForAll(term: TestTerminal, texts: readonly string[]): Promise<string> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const shown = squeeze(inside(term));
      if (texts.every((t) => shown.includes(squeeze(t))) || Date.now() > deadline) return shown;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it.each(Language.options)(
    'draws every lesson at every step in %s, whole and inside its borders',
    async (language) => {
      await drawEveryStep(language, 100, 70);
    },
    120_000,
  );

  it('wraps Korean at half the letters English fits, in a narrow pane', async () => {
    const columns = 46;
    const term = await drawEveryStep('ko', columns, 120, 'self-healing');
    // The last frame is the finished lesson: its last under-the-hood note is a long Korean
    // paragraph, which must fill rows to the edge in columns, not in letters.
    const rows = inside(term)
      .split('\n')
      .filter((row) => HANGUL.test(row));
    const widest = Math.max(...rows.map((row) => stringWidth(row.trimEnd())));
    expect(widest).toBeGreaterThan(columns - 2 - 8);
    expect(widest).toBeLessThanOrEqual(columns - 2);
  }, 60_000);
});
