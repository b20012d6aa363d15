import { execFile } from 'node:child_process';
import { lstat, mkdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ScratchLab } from './scratch-lab.ts';

const host = promisify(execFile);

let box: ScratchLab;
beforeAll(async () => {
  box = await ScratchLab.create();
});
afterAll(() => box.remove());

// 24 + 4 * 26 characters: over ustar's 100-byte name field, so it takes a GNU long name entry.
const longPath = `tree/${'directory-of-some-length/'.repeat(4)}leaf-file.txt`;
const binary = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256));

/** Writes the same small tree under `root` (a container path): files, a mode, an empty dir, a link. */
async function writeTree(root: string): Promise<void> {
  const at = (p: string) => box.path(`${root}/${p}`);
  await mkdir(dirname(at(longPath)), { recursive: true });
  await mkdir(at('tree/empty'), { recursive: true });
  await writeFile(at('tree/a.txt'), 'alpha\n');
  await writeFile(at('tree/run.sh'), '#!/bin/sh\necho hi\n', { mode: 0o750 });
  await writeFile(at('tree/data.bin'), binary);
  await writeFile(at(longPath), 'deep\n');
  await symlink('a.txt', at('tree/link'));
}

/** Checks that `root` (a container path) holds what writeTree wrote. */
async function expectTree(root: string): Promise<void> {
  const at = (p: string) => box.path(`${root}/${p}`);
  expect(await readFile(at('tree/a.txt'), 'utf8')).toBe('alpha\n');
  expect(await readFile(at('tree/data.bin'))).toEqual(binary);
  expect(await readFile(at(longPath), 'utf8')).toBe('deep\n');
  expect((await stat(at('tree/run.sh'))).mode & 0o777).toBe(0o750);
  expect((await stat(at('tree/empty'))).isDirectory()).toBe(true);
  expect((await lstat(at('tree/link'))).isSymbolicLink()).toBe(true);
  expect(await readlink(at('tree/link'))).toBe('a.txt');
}

it('round-trips a tree with a long path, modes, an empty directory and a symlink', async () => {
  await writeTree('/src');
  const created = await box.run(['tar', 'cf', '-', '/src/tree']);
  expect(created.err).toBe("tar: removing leading '/' from member names\n");
  expect(created.code).toBe(0);

  const listed = await box.run(['tar', 'tf', '-'], created.out);
  expect(listed.out.toString().split('\n')).toContain(`src/${longPath}`);
  expect(listed.out.toString().split('\n')).toContain('src/tree/empty/');

  // kubectl cp's own invocation.
  await mkdir(box.path('/dst'));
  const extracted = await box.run(
    ['tar', '--no-same-permissions', '--no-same-owner', '-xmf', '-', '-C', '/dst'],
    created.out,
  );
  expect(extracted).toMatchObject({ code: 0, err: '' });
  await expectTree('/dst/src');
});

it('writes what GNU tar extracts and extracts what GNU tar writes in pax format', async () => {
  await writeTree('/gnu');
  const ours = await box.run(['tar', '-cf', '/gnu/ours.tar', '-C', '/gnu', 'tree']);
  expect(ours).toMatchObject({ code: 0, err: '' });
  await mkdir(box.path('/from-ours'));
  await host('tar', ['-xf', box.path('/gnu/ours.tar'), '-C', box.path('/from-ours')]);
  await expectTree('/from-ours');

  // A name part over 100 bytes cannot go in ustar's prefix: Go's writer and GNU's pax put it in a
  // PAX 'x' header, as kubectl cp's archive does.
  const longName = `${'n'.repeat(120)}.txt`;
  await writeFile(box.path(`/gnu/tree/${longName}`), 'pax\n');
  await host('tar', ['--format=pax', '-cf', box.path('/gnu/pax.tar'), '-C', box.path('/gnu'), 'tree']);
  await mkdir(box.path('/from-pax'));
  const extracted = await box.run(['tar', 'xf', '/gnu/pax.tar', '-C', '/from-pax']);
  expect(extracted).toMatchObject({ code: 0, err: '' });
  await expectTree('/from-pax');
  expect(await readFile(box.path(`/from-pax/tree/${longName}`), 'utf8')).toBe('pax\n');
});

it('restores modification times unless told not to (m)', async () => {
  await mkdir(box.path('/times'), { recursive: true });
  await writeFile(box.path('/times/old.txt'), 'old\n');
  await host('touch', ['-d', '2020-01-02T03:04:05Z', box.path('/times/old.txt')]);
  const archive = (await box.run(['tar', 'cf', '-', '-C', '/times', 'old.txt'])).out;
  await mkdir(box.path('/kept'));
  await mkdir(box.path('/touched'));
  await box.run(['tar', 'xf', '-', '-C', '/kept'], archive);
  await box.run(['tar', 'xmf', '-', '-C', '/touched'], archive);
  expect((await stat(box.path('/kept/old.txt'))).mtime.toISOString()).toBe('2020-01-02T03:04:05.000Z');
  expect((await stat(box.path('/touched/old.txt'))).mtimeMs).toBeGreaterThan(Date.parse('2025-01-01'));
});

it('reports what busybox reports for bad use, missing files and broken archives', async () => {
  expect(await box.run(['tar', 'cf', '-', '/nope'])).toMatchObject({
    code: 1,
    err: "tar: removing leading '/' from member names\ntar: /nope: No such file or directory\n",
  });
  expect((await box.run(['tar', 'xf', '-'], Buffer.alloc(512, 'x'))).err).toBe(
    'tar: invalid tar header checksum\n',
  );
  expect(await box.run(['tar', 'xf', '-'], '')).toMatchObject({ code: 1, err: 'tar: short read\n' });
  expect(await box.run(['tar', '-xf', '-', '-C', '/missing'])).toMatchObject({
    code: 1,
    err: "tar: can't change directory to '/missing': No such file or directory\n",
  });
  expect((await box.run(['tar', 'f', '-'])).err).toMatch(/^tar: need at least one of 'c', 'x' or 't'/);
  expect((await box.run(['tar', '-xq'])).err).toMatch(/^tar: invalid option -- 'q'/);
});
