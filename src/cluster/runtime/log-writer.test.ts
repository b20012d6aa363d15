import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, expect, it } from 'vitest';
import { ContainerLogWriter } from './log-writer.ts';

const dir = await mkdtemp(join(tmpdir(), 'orch-lab-logw-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

it('writes CRI lines: F for full lines, P for a line still waiting for its newline', async () => {
  const path = join(dir, '0.log');
  let now = 1_795_000_000_000_000_000n;
  const writer = new ContainerLogWriter(path, () => now++);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  writer.follow(stdout, 'stdout');
  writer.follow(stderr, 'stderr');
  stdout.write('one\ntw');
  await new Promise((resolve) => setTimeout(resolve, 250));
  stdout.write('o\nno newline at the end');
  stderr.write('oops\n');
  stdout.end();
  stderr.end();
  await writer.closed();
  const lines = (await readFile(path, 'utf8')).split('\n');
  expect(lines.map((l) => l.slice(31))).toEqual([
    'stdout F one',
    'stdout P tw',
    'stdout F o',
    'stderr F oops',
    'stdout F no newline at the end',
    '',
  ]);
  expect(lines.slice(0, 2)).toEqual([
    '2026-11-18T11:06:40.000000000Z stdout F one',
    '2026-11-18T11:06:40.000000001Z stdout P tw',
  ]);
});
