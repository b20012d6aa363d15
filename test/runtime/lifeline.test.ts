import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

it('takes every container down with the process that owns the runtime, even on SIGKILL', async () => {
  const owner = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'lifeline-owner.ts'), '127.244.201.0/24'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const [line] = (await once(owner.stdout!, 'data')) as [Buffer];
  const { pid, dir } = JSON.parse(line.toString()) as { pid: number; dir: string };
  expect(alive(pid)).toBe(true);

  owner.kill('SIGKILL');
  await once(owner, 'exit');
  const deadline = Date.now() + 10_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(alive(pid)).toBe(false);
  await rm(dir, { recursive: true, force: true });
});
