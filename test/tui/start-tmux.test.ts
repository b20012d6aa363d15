import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { runningLab } from '../../src/cluster/lab.ts';

const run = promisify(execFile);
const BIN = new URL('../../bin/orch-lab.js', import.meta.url).pathname;
const session = `orch-lab-tui-${process.pid}`;
let home = '';

const tmux = (...args: string[]) => run('tmux', args);
const capture = async () => (await tmux('capture-pane', '-p', '-t', session)).stdout;

async function waitForScreen(text: string, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const screen = await capture();
    if (screen.includes(text)) return screen;
    if (Date.now() > deadline) throw new Error(`tmux never showed ${text}:\n${screen}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

afterAll(async () => {
  await tmux('kill-session', '-t', session).catch(() => {});
  const lab = home ? await runningLab(home) : undefined;
  if (lab) process.kill(lab.pid, 'SIGTERM');
  if (home) await rm(home, { recursive: true, force: true });
});

it('orch-lab start in tmux boots a lab, shows it in the language asked for, and stops it when asked on quit', async () => {
  home = await mkdtemp(join(tmpdir(), 'orch-lab-tmux-'));
  const command = `ORCH_LAB_HOME=${home} ${process.execPath} ${BIN} start --nodes 0 --api-port 0 --etcd-port 0 --lang ko`;
  await tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', command);
  const screen = await waitForScreen('✓ apiserver');
  expect(screen).toMatch(/1 Events\s+2 Flow\s+3 Store\s+4 Scheduler\s+5 Lesson/);
  expect(await runningLab(home)).toBeDefined();
  await tmux('send-keys', '-t', session, 'Escape');
  await waitForScreen('[map]');
  // The Lesson tab speaks the language --lang chose; the screen's frame stays as it is.
  await tmux('send-keys', '-t', session, '5');
  expect(await waitForScreen("시작한 레슨이 없다. 'lesson list' 로 목록을 보고")).toMatch(/5 Lesson/);
  await tmux('send-keys', '-t', session, 'q');
  await waitForScreen('Leave the lab running? [Y/n]');
  await tmux('send-keys', '-t', session, 'n');
  const deadline = Date.now() + 15_000;
  while ((await runningLab(home)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(await runningLab(home)).toBeUndefined();
});
