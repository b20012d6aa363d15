import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { NodeConfig, writeNodeConfig } from './config.ts';
import { chooseRuntime, recordedRuntime } from './select.ts';

let home: string;
const saved = process.env.DOCKER_HOST;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'orch-lab-select-'));
  // No engine answers here, whatever the machine has.
  process.env.DOCKER_HOST = `unix://${join(home, 'no-docker.sock')}`;
});
afterEach(async () => {
  if (saved === undefined) delete process.env.DOCKER_HOST;
  else process.env.DOCKER_HOST = saved;
  await rm(home, { recursive: true, force: true });
});

const processNode = () =>
  writeNodeConfig(
    join(home, 'nodes', 'node-1', 'node.json'),
    NodeConfig.parse({
      name: 'node-1',
      nodeIP: '127.100.0.1',
      podCIDR: '127.244.1.0/24',
      apiServer: 'https://127.0.0.1:6443',
      imageCache: join(home, 'images'),
    }),
  );

it('falls back to process nodes under auto when no engine answers, and says why', async () => {
  const notes: string[] = [];
  expect(await chooseRuntime(home, 'auto', (line) => notes.push(line))).toBe('process');
  expect(notes).toEqual([
    expect.stringMatching(/^Nodes run as processes: no Docker engine answers at unix:\/\//),
  ]);
});

it('leaves Docker alone under auto when the lab is to have no nodes', async () => {
  const notes: string[] = [];
  expect(await chooseRuntime(home, 'auto', (line) => notes.push(line), false)).toBe('process');
  expect(notes).toEqual([]);
});

it('fails --runtime docker with the fix when no engine answers', async () => {
  await expect(chooseRuntime(home, 'docker', () => {})).rejects.toThrow(
    /no Docker engine answers.*\nInstall and start one/s,
  );
});

it('keeps the runtime the lab was made with', async () => {
  expect(await recordedRuntime(home)).toBeUndefined();
  await processNode();
  expect(await recordedRuntime(home)).toBe('process');
  await expect(chooseRuntime(home, 'docker', () => {})).rejects.toThrow(
    /are processes: use --runtime process, or start afresh with: orch-lab down --purge/,
  );
  await writeFile(join(home, 'docker.json'), JSON.stringify({ cluster: 'orch-lab', network: 'orch-lab' }));
  expect(await recordedRuntime(home)).toBe('docker');
  expect(await chooseRuntime(home, 'auto', () => {})).toBe('docker');
});
