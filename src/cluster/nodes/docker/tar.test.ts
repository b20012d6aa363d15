import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { tarArchive } from './tar.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'orch-lab-tar-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

it('writes an archive GNU tar extracts: folders, files, contents and modes', async () => {
  const big = Buffer.alloc(1500, 'x');
  await writeFile(
    join(dir, 'node.tar'),
    tarArchive([
      { path: 'var/lib/orch-lab/nodes/node-1/', mode: 0o700 },
      { path: 'var/lib/orch-lab/nodes/node-1/pki/', mode: 0o700 },
      {
        path: 'var/lib/orch-lab/nodes/node-1/node.json',
        content: Buffer.from('{"name":"node-1"}\n'),
        mode: 0o600,
      },
      { path: 'var/lib/orch-lab/nodes/node-1/pki/ca.crt', content: big, mode: 0o644 },
    ]),
  );
  await promisify(execFile)('tar', ['-xf', join(dir, 'node.tar'), '-C', dir]);
  const node = join(dir, 'var/lib/orch-lab/nodes/node-1');
  expect(await readFile(join(node, 'node.json'), 'utf8')).toBe('{"name":"node-1"}\n');
  expect(await readFile(join(node, 'pki/ca.crt'))).toEqual(big);
  expect((await stat(join(node, 'node.json'))).mode & 0o777).toBe(0o600);
  expect((await stat(join(node, 'pki'))).isDirectory()).toBe(true);
});

it('writes symbolic links and paths longer than ustar holds, as GNU tar reads them', async () => {
  const long = `${'a'.repeat(60)}/${'b'.repeat(60)}/file`;
  await writeFile(
    join(dir, 'layer.tar'),
    tarArchive([
      { path: 'bin/', mode: 0o755 },
      { path: 'bin/busybox', content: Buffer.from('#!'), mode: 0o755 },
      { path: 'bin/sh', link: 'busybox', mode: 0o777 },
      { path: long, content: Buffer.from('deep'), mode: 0o644 },
    ]),
  );
  await promisify(execFile)('tar', ['-xf', join(dir, 'layer.tar'), '-C', dir]);
  expect(await readlink(join(dir, 'bin/sh'))).toBe('busybox');
  expect(await readFile(join(dir, long), 'utf8')).toBe('deep');
});
