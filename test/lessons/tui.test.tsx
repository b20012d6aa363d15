import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLab } from '../../src/tui/boot.ts';
import { Start } from '../../src/tui/Start.tsx';
import { startTestLab, type TestLab } from '../support/lab.ts';
import { KEYS, renderInTerminal, type TestTerminal } from '../tui/terminal.ts';

// The Lesson tab on a control plane without nodes: the store lesson's first steps need none. The
// prompt drives the engine (`lesson start`), a kubectl write turns a step green through the UI's
// informers, and a typed etcdctl command turns the next one green, which only the UI can see.

describe('the Lesson tab', () => {
  let lab: TestLab;
  let term: TestTerminal;

  beforeAll(async () => {
    lab = await startTestLab();
    const boot = (progress: Parameters<typeof bootLab>[1]) =>
      bootLab({ home: lab.home, apiPort: 0, etcdPort: 0, nodes: 0, runtime: 'process' }, progress);
    term = renderInTerminal(<Start boot={boot} onQuit={() => {}} />, { columns: 110, rows: 44 });
    await term.waitFor('✓ apiserver', 30_000);
  }, 60_000);

  afterAll(async () => {
    term?.unmount();
    await lab?.stop();
  });

  const prompt = async (line: string) => {
    await term.type(line);
    await term.waitFor(`> ${line}`, 30_000);
    await term.type(KEYS.enter);
  };

  it('starts a lesson from the prompt and shows its first step', async () => {
    await term.type(KEYS.escape);
    await term.type(KEYS.tab);
    await term.waitFor('[tabs]');
    await term.type('5');
    // The engine has loaded the lessons and read progress.json: none started yet.
    await term.waitFor("No lesson started: 'lesson list' shows them", 30_000);
    await term.type(':');
    await prompt('lesson start the-store');
    await term.waitFor('The store under everything — step 1/6', 30_000);
    const screen = (await term.waitFor('▶ Write an object')).join('\n');
    expect(screen).toContain('$ kubectl create configmap greeting -n lesson-store --from-literal=text=hello');
    expect(screen).toMatch(/… \/registry\/configmaps\/lesson-store\/greeting: no such key/);
  }, 90_000);

  it('turns a step green when the cluster gets there, and a typed step when it is typed', async () => {
    await prompt('kubectl create configmap greeting -n lesson-store --from-literal=text=hello');
    await term.waitFor('The store under everything — step 2/6', 30_000);
    await term.waitFor('▶ Read the key straight from the store');
    await prompt('etcdctl get /registry/configmaps/lesson-store/greeting');
    await term.waitFor('The store under everything — step 3/6', 30_000);
    await term.waitFor('▶ Change it and watch the revision move');
  }, 90_000);

  it('shows hints one at a time, and keeps progress in progress.json', async () => {
    await prompt('lesson hint');
    await term.waitFor('Hint: `kubectl patch` with a JSON merge patch changes only the fields you give.');
    await term.waitFor('Hint 1: `kubectl patch`');
    const progress = JSON.parse(await readFile(join(lab.home, 'progress.json'), 'utf8'));
    expect(progress.current).toBe('the-store');
    expect(progress.lessons['the-store'].done).toEqual(['write', 'read-key']);
    expect(progress.lessons['the-store'].hints).toEqual({ revision: 1 });
  }, 60_000);
});
