import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ContainerLogNotFoundError,
  type ContainerLogOptions,
  containerLogs,
  type FollowOptions,
  readContainerLogs,
} from './log.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orch-lab-log-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const sample = [
  '2026-11-25T19:00:00.100000000Z stdout F first',
  '2026-11-25T19:00:01.000000000Z stderr F second, from stderr',
  '2026-11-25T19:00:02.123456789Z stdout P par',
  '2026-11-25T19:00:02.200000000Z stdout F tial',
  '2026-11-25T19:00:03.000000000Z stdout F last',
  '',
].join('\n');

async function read(
  options: ContainerLogOptions,
  follow: FollowOptions = {},
  file = 'sample.log',
): Promise<string> {
  let text = '';
  for await (const chunk of containerLogs(join(dir, file), options, follow)) text += chunk.toString();
  return text;
}

describe('containerLogs', () => {
  beforeAll(() => writeFile(join(dir, 'sample.log'), sample));

  it('decodes entries and joins partial lines', async () => {
    expect(await read({})).toBe('first\nsecond, from stderr\npartial\nlast\n');
  });

  it('starts tailLines from the end, counting file lines', async () => {
    expect(await read({ tailLines: 1 })).toBe('last\n');
    expect(await read({ tailLines: 3 })).toBe('partial\nlast\n');
    expect(await read({ tailLines: 0 })).toBe('');
    expect(await read({ tailLines: 100 })).toBe('first\nsecond, from stderr\npartial\nlast\n');
  });

  it('prefixes RFC 3339 times with trailing zeros trimmed, as the kubelet prints them', async () => {
    expect((await read({ timestamps: true, tailLines: 4 })).split('\n')).toEqual([
      '2026-11-25T19:00:01Z second, from stderr',
      '2026-11-25T19:00:02.123456789Z par2026-11-25T19:00:02.2Z tial',
      '2026-11-25T19:00:03Z last',
      '',
    ]);
  });

  it('filters by sinceTime and sinceSeconds and cuts at limitBytes', async () => {
    expect(await read({ sinceTime: '2026-11-25T19:00:02.5Z' })).toBe('last\n');
    const now = () => Date.parse('2026-11-25T19:00:04Z');
    expect(await read({ sinceSeconds: 2 }, { now })).toBe('partial\nlast\n');
    expect(await read({ limitBytes: 8 })).toBe('first\nse');
  });

  it('follows new lines until the container stops running', async () => {
    const file = join(dir, 'follow.log');
    await writeFile(file, '2026-11-25T19:00:00.000000000Z stdout F one\n');
    let running = true;
    const out: string[] = [];
    const done = (async () => {
      for await (const chunk of containerLogs(
        file,
        { follow: true },
        { isRunning: () => running, pollMs: 10 },
      )) {
        out.push(chunk.toString());
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await appendFile(file, '2026-11-25T19:00:01.000000000Z stdout F two\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await appendFile(file, '2026-11-25T19:00:02.000000000Z stdout F three\n');
    running = false;
    await done;
    expect(out.join('')).toBe('one\ntwo\nthree\n');
  });

  it('fails for a missing file', async () => {
    await expect(read({}, {}, 'missing.log')).rejects.toThrow(ContainerLogNotFoundError);
  });
});

describe('readContainerLogs', () => {
  it('writes into a stream and stops when aborted', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    const abort = new AbortController();
    const reading = readContainerLogs(
      join(dir, 'sample.log'),
      { follow: true, tailLines: 1 },
      out,
      abort.signal,
      {
        pollMs: 10,
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 30));
    abort.abort();
    await reading;
    expect(text).toBe('last\n');
  });
});
