import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileBackend } from '../../src/cluster/store/file-backend.ts';
import { Store } from '../../src/cluster/store/store.ts';

const writerScript = join(import.meta.dirname, '../support/store-writer.ts');
const dirs: string[] = [];

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'orch-crash-'));
  dirs.push(dir);
  return dir;
}

/** Runs the writer until a random moment after its first acknowledged write, then SIGKILLs it. */
function runAndKill(dir: string, prefix: string, killAfterMs: number): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writerScript, dir, prefix, '300'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acked = new Map<string, number>();
    let buffered = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [word, key, revision] = line.split(' ');
        if (word === 'ack') acked.set(key!, Number(revision));
        if (word === 'ack' && !timer) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer exited by itself (${signal ?? _code})`));
      else resolve(acked);
    });
  });
}

async function openStore(dir: string): Promise<Store> {
  return Store.open({
    backend: new FileBackend({ dir, snapshotCount: 300 }),
    autoCompaction: { mode: 'off' },
  });
}

/** Every key ever written in these tests is unique, so the live keys' revisions must be 2..current. */
async function expectContiguous(store: Store): Promise<Map<string, number>> {
  const { kvs, header } = await store.range({ key: Buffer.from([0]), rangeEnd: Buffer.from([0]) });
  const revisions = kvs.map((kv) => kv.modRevision).sort((a, b) => a - b);
  expect(revisions).toEqual(Array.from({ length: header.revision - 1 }, (_, i) => i + 2));
  return new Map(kvs.map((kv) => [kv.key.toString(), kv.modRevision]));
}

describe('store durability under SIGKILL', () => {
  it('keeps every acknowledged write across 20 kills at random moments', async () => {
    const dir = await dataDir();
    let total = 0;
    for (let round = 0; round < 20; round++) {
      const acked = await runAndKill(dir, `r${String(round).padStart(2, '0')}`, 50 + Math.random() * 400);
      total += acked.size;
      const store = await openStore(dir);
      const stored = await expectContiguous(store);
      for (const [key, revision] of acked) expect(stored.get(key), key).toBe(revision);
      await store.close();
    }
    expect(total).toBeGreaterThan(1000);
  }, 120_000);

  it('drops a truncated or corrupted last WAL record and opens without repair', async () => {
    const dir = await dataDir();
    const store = await Store.open({ backend: new FileBackend({ dir }), autoCompaction: { mode: 'off' } });
    for (let i = 0; i < 5; i++) await store.put({ key: Buffer.from(`t/${i}`), value: Buffer.from(`v${i}`) });
    await store.close();
    const wal = (await readdir(dir))
      .filter((name) => name.endsWith('.wal'))
      .sort()
      .at(-1)!;
    const path = join(dir, wal);

    // A torn write: the last record lost its final bytes.
    await truncate(path, (await stat(path)).size - 3);
    let reopened = await openStore(dir);
    expect((await reopened.range({ key: Buffer.from('t/4') })).kvs).toHaveLength(0);
    expect((await reopened.range({ key: Buffer.from('t/3') })).kvs[0]?.value.toString()).toBe('v3');
    await reopened.close();

    // A flipped byte inside the (new) last record.
    const data = await readFile(path);
    data[data.length - 2]! ^= 0xff;
    await writeFile(path, data);
    reopened = await openStore(dir);
    expect((await reopened.range({ key: Buffer.from('t/3') })).kvs).toHaveLength(0);
    expect((await reopened.range({ key: Buffer.from('t/2') })).kvs[0]?.value.toString()).toBe('v2');
    await reopened.put({ key: Buffer.from('t/after'), value: Buffer.from('ok') });
    await reopened.close();
    reopened = await openStore(dir);
    expect((await reopened.range({ key: Buffer.from('t/after') })).kvs[0]?.modRevision).toBe(5);
    await reopened.close();
  });
});
