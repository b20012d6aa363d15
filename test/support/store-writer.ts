// A child process for the crash test: writes unique keys to a durable store as fast as it can and
// prints "ack <key> <revision>" for each write the store acknowledged. The parent kills it with
// SIGKILL at a random moment and checks that every printed write survived.
import { writeSync } from 'node:fs';
import { FileBackend } from '../../src/cluster/store/file-backend.ts';
import { Store } from '../../src/cluster/store/store.ts';

const [dir = '', prefix = 'k', snapshotCount = '500'] = process.argv.slice(2);
const store = await Store.open({
  backend: new FileBackend({ dir, snapshotCount: Number(snapshotCount) }),
  autoCompaction: { mode: 'off' },
});
/**
 * Writes a whole line synchronously, so a line printed is a line the parent can read even after
 * SIGKILL. The pipe is non-blocking: when the parent reads slowly the write fails with EAGAIN,
 * and waiting for room is the right thing for this test.
 */
function writeLine(line: string): void {
  const data = Buffer.from(`${line}\n`);
  let offset = 0;
  while (offset < data.length) {
    try {
      offset += writeSync(1, data, offset);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
    }
  }
}

writeLine('ready');

const value = Buffer.alloc(256, 'x');
let next = 0;
async function writer(): Promise<void> {
  for (;;) {
    const key = `${prefix}/${String(next++).padStart(8, '0')}`;
    const resp = await store.put({ key: Buffer.from(key), value });
    writeLine(`ack ${key} ${resp.header.revision}`);
  }
}
await Promise.all(Array.from({ length: 16 }, writer));
