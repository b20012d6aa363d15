import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, ok } from '../scenarios/steps.ts';
import { startTestLab, type TestLab } from '../support/lab.ts';

// kubectl cp through the lab: kubectl execs `tar` in the container (the toolbox's, as busybox's)
// and streams an archive in or out over the exec connection. One process node, number 15.

let lab: TestLab;
let local: string;

beforeAll(async () => {
  lab = await startTestLab({ nodes: { count: 1, firstNode: 15 } });
  local = await mkdtemp(join(tmpdir(), 'orch-lab-cp-'));
  ok(await lab.kubectl(['run', 'box', '--image=busybox', '--restart=Never', '--', 'sleep', '3600']));
  ok(await lab.kubectl(['run', 'web', '--image=nginx', '--restart=Never']));
  for (const pod of ['box', 'web'])
    await eventually(async () => {
      const phase = await lab.kubectl(['get', 'pod', pod, '-o', 'jsonpath={.status.phase}']);
      return phase.stdout === 'Running' ? true : undefined;
    }, 60_000);
}, 120_000);

afterAll(async () => {
  await lab?.stop();
  if (local) await rm(local, { recursive: true, force: true });
}, 60_000);

/** Every file under `dir`, by its path relative to `dir`, with its content. */
async function filesUnder(dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: Record<string, string> = {};
  for (const entry of entries.filter((e) => e.isFile())) {
    const path = join(entry.parentPath, entry.name);
    files[relative(dir, path)] = await readFile(path, 'utf8');
  }
  return files;
}

describe('kubectl cp', () => {
  it('copies a local file into a busybox pod', async () => {
    await writeFile(join(local, 'in.txt'), 'hello from the host\n');
    expect(ok(await lab.kubectl(['cp', join(local, 'in.txt'), 'box:/tmp/in.txt']))).toBe('');
    expect(ok(await lab.kubectl(['exec', 'box', '--', 'cat', '/tmp/in.txt']))).toBe('hello from the host\n');
  });

  it('copies a local directory with a name too long for ustar into a pod', async () => {
    // kubectl's Go archive/tar writer puts a name part over 100 bytes in a PAX header.
    const longName = `${'n'.repeat(120)}.txt`;
    await mkdir(join(local, 'up', 'sub'), { recursive: true });
    await writeFile(join(local, 'up', 'sub', longName), 'long\n');
    await writeFile(join(local, 'up', 'top.txt'), 'top\n');
    ok(await lab.kubectl(['cp', join(local, 'up'), 'box:/tmp/up']));
    expect(
      ok(await lab.kubectl(['exec', 'box', '--', 'cat', `/tmp/up/sub/${longName}`, '/tmp/up/top.txt'])),
    ).toBe('long\ntop\n');
  });

  it('copies a directory tree out of a pod', async () => {
    // Over ustar's 100-byte name field: the toolbox's tar writes a GNU long name entry for it.
    const deepDir = 'long-directory-name/'.repeat(5);
    const deep = `${deepDir}c.txt`;
    ok(
      await lab.kubectl([
        'exec',
        'box',
        '--',
        'sh',
        '-c',
        `mkdir -p /tmp/tree/sub /tmp/tree/${deepDir} && echo alpha > /tmp/tree/a.txt && ` +
          `echo beta > /tmp/tree/sub/b.txt && echo gamma > /tmp/tree/${deep}`,
      ]),
    );
    const copied = await lab.kubectl(['cp', 'box:/tmp/tree', join(local, 'local-dir')]);
    // tar's note goes to kubectl's stdout: kubectl passes the exec's stderr there when copying out.
    expect(ok(copied)).toBe("tar: removing leading '/' from member names\n");
    expect(await filesUnder(join(local, 'local-dir'))).toEqual({
      'a.txt': 'alpha\n',
      'sub/b.txt': 'beta\n',
      [deep]: 'gamma\n',
    });
  });

  it('copies a local file into an nginx pod', async () => {
    await writeFile(join(local, 'index.html'), '<h1>copied</h1>\n');
    ok(await lab.kubectl(['cp', join(local, 'index.html'), 'web:/usr/share/nginx/html/index.html']));
    expect(ok(await lab.kubectl(['exec', 'web', '--', 'cat', '/usr/share/nginx/html/index.html']))).toBe(
      '<h1>copied</h1>\n',
    );
  });
});
