import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  RuntimeCallError,
  RuntimeClient,
  type RuntimeServer,
  serveRuntime,
} from '../../src/cluster/runtime/index.ts';
import { fetchWhenUp, type RuntimeFixture, runtimeFixture } from './runtime-fixture.ts';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '../../bin/orch-lab.js');

let f: RuntimeFixture;
let server: RuntimeServer;
let containerId: string;
let sandboxId: string;

beforeAll(async () => {
  f = await runtimeFixture('127.244.202.0/24');
  const nodeDir = join(f.dir, 'nodes', 'node-9');
  await mkdir(nodeDir, { recursive: true });
  server = await serveRuntime(f.runtime, f.runtime, join(nodeDir, 'runtime.sock'));
  const pod = await f.sandbox('web');
  sandboxId = pod.id;
  containerId = await f.container(pod, { name: 'nginx', image: 'nginx' });
  await fetchWhenUp(`http://${pod.ip}/`);
});
afterAll(async () => {
  await server.close();
  await f.close();
});

const crictl = async (...args: string[]) =>
  (
    await run(process.execPath, [bin, 'crictl', '--node', 'node-9', ...args], {
      env: { ...process.env, ORCH_LAB_HOME: f.dir },
    })
  ).stdout;

it('answers CRI calls over the socket and reports unknown IDs as NotFound', async () => {
  const client = new RuntimeClient(server.socketPath);
  const { containers } = await client.call('RuntimeService/ListContainers', {});
  expect(containers).toHaveLength(1);
  expect(containers[0]).toMatchObject({
    id: containerId,
    state: 'CONTAINER_RUNNING',
    metadata: { name: 'nginx' },
  });
  expect(typeof containers[0]!.createdAt).toBe('bigint');
  await expect(client.call('RuntimeService/ContainerStatus', { containerId: 'nope' })).rejects.toThrow(
    RuntimeCallError,
  );
  await expect(client.call('ImageService/PullImage', { image: { image: 'redis' } })).rejects.toThrow(
    /orch-lab images:/,
  );
});

it('prints crictl ps, pods and images tables', async () => {
  const ps = (await crictl('ps')).split('\n');
  expect(ps[0]).toMatch(/^CONTAINER {11}IMAGE {15}CREATED +STATE {15}NAME {16}ATTEMPT {13}POD ID {14}POD$/);
  expect(ps[1]).toMatch(
    new RegExp(
      `^${containerId.slice(0, 13)} {7}[0-9a-f]{13} {7}(Less than a second|\\d+ seconds?) ago +Running +nginx +0 +${sandboxId.slice(0, 13)} +web$`,
    ),
  );
  const pods = (await crictl('pods')).split('\n');
  expect(pods[0]).toMatch(/^POD ID +CREATED +STATE +NAME +NAMESPACE +ATTEMPT +RUNTIME$/);
  expect(pods[1]).toMatch(
    new RegExp(`^${sandboxId.slice(0, 13)} .* ago +Ready +web +default +0 +\\(default\\)$`),
  );
  const images = await crictl('images');
  expect(images).toMatch(
    /^IMAGE {21}TAG {17}IMAGE ID {12}SIZE\ndocker\.io\/library\/nginx {3}latest {14}[0-9a-f]{13} {7}\d+(\.\d+)?kB\n$/,
  );
});

it('prints logs and inspects a container or a pod by ID prefix', async () => {
  expect(await crictl('logs', '--tail', '1', containerId.slice(0, 13))).toMatch(
    /^127\.0\.0\.1 - - \[.*\] "GET \/ HTTP\/1\.1" 200 615 "-" "node" "-"\n$/,
  );
  const inspect = JSON.parse(await crictl('inspect', containerId.slice(0, 13)));
  expect(inspect.status).toMatchObject({
    id: containerId,
    state: 'CONTAINER_RUNNING',
    image: { image: 'nginx' },
  });
  expect(inspect.info.pid).toBeGreaterThan(0);
  const pod = JSON.parse(await crictl('inspect', sandboxId.slice(0, 13)));
  expect(pod.status).toMatchObject({ id: sandboxId, state: 'SANDBOX_READY', metadata: { name: 'web' } });
});
