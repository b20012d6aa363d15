import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type RuntimeServer, serveRuntime } from '../../src/cluster/runtime/index.ts';
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

/**
 * A CRI client as crictl is one: built from the .proto alone, with Go's snake_case field names,
 * sharing no code with the lab's kubelet. (crictl itself, cri-tools, is not packaged in Debian.)
 */
function criClient(socketPath: string) {
  const definition = protoLoader.loadSync(join(import.meta.dirname, '../../src/cluster/cri/api.proto'), {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
  });
  const client = (name: string) =>
    new (grpc.makeClientConstructor(definition[`runtime.v1.${name}`] as grpc.ServiceDefinition, name))(
      `unix://${socketPath}`,
      grpc.credentials.createInsecure(),
    );
  const services = { runtime: client('RuntimeService'), image: client('ImageService') };
  // biome-ignore lint/suspicious/noExplicitAny: replies are read as loosely as crictl reads JSON.
  type Reply = Record<string, any>;
  const call = (service: keyof typeof services, method: string, request: object) =>
    new Promise<Reply>((resolve, reject) =>
      services[service][method]!(request, (err: grpc.ServiceError | null, res: Reply) =>
        err ? reject(err) : resolve(res),
      ),
    );
  return {
    call,
    close: () => {
      for (const service of Object.values(services)) service.close();
    },
  };
}

it('speaks runtime.v1 gRPC on the socket: lists, statuses, NotFound codes and pull errors', async () => {
  const cri = criClient(server.socketPath);
  try {
    expect(await cri.call('runtime', 'Version', { version: 'v1' })).toMatchObject({
      runtime_name: 'orch-lab',
      runtime_api_version: 'v1',
    });
    const { containers } = await cri.call('runtime', 'ListContainers', {
      filter: { state: { state: 'CONTAINER_RUNNING' } },
    });
    expect(containers).toHaveLength(1);
    expect(containers[0]).toMatchObject({
      id: containerId,
      pod_sandbox_id: sandboxId,
      state: 'CONTAINER_RUNNING',
      metadata: { name: 'nginx', attempt: 0 },
      image: { image: 'nginx' },
    });
    const status = await cri.call('runtime', 'ContainerStatus', { container_id: containerId, verbose: true });
    expect(status.status.log_path).toMatch(/nginx\/0\.log$/);
    expect(JSON.parse(status.info.info).pid).toBeGreaterThan(0);
    const sandbox = await cri.call('runtime', 'PodSandboxStatus', { pod_sandbox_id: sandboxId });
    expect(sandbox.status.network.ip).toMatch(/^127\.244\.202\.\d+$/);
    await expect(cri.call('runtime', 'ContainerStatus', { container_id: 'nope' })).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
    });
    await expect(cri.call('image', 'PullImage', { image: { image: 'redis' } })).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
      details: expect.stringMatching(/orch-lab images:/),
    });
    const sync = await cri.call('runtime', 'ExecSync', {
      container_id: containerId,
      cmd: ['cat', '/etc/hostname'],
      timeout: 5,
    });
    expect({ stdout: sync.stdout.toString(), exit: sync.exit_code }).toEqual({ stdout: 'web\n', exit: 0 });
  } finally {
    cri.close();
  }
});

it('answers Exec with a URL on its streaming server, which runs the command once', async () => {
  const cri = criClient(server.socketPath);
  try {
    const { url } = await cri.call('runtime', 'Exec', {
      container_id: containerId,
      cmd: ['echo', 'streamed'],
      stdout: true,
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/exec\/[\w-]+$/);
    const frames: Buffer[] = [];
    const ws = new WebSocket(url.replace(/^http/, 'ws'), ['v4.channel.k8s.io']);
    ws.on('message', (data: Buffer) => frames.push(data));
    await new Promise((resolve) => ws.on('close', resolve));
    const stdout = frames
      .filter((f) => f[0] === 1)
      .map((f) => f.subarray(1).toString())
      .join('');
    const status = JSON.parse(
      frames
        .find((f) => f[0] === 3)!
        .subarray(1)
        .toString(),
    );
    expect({ stdout, status: status.status }).toEqual({ stdout: 'streamed\n', status: 'Success' });
    // A URL is good for one session.
    const again = new WebSocket(url.replace(/^http/, 'ws'), ['v4.channel.k8s.io']);
    const refused = await new Promise((resolve) =>
      again.on('unexpected-response', (_req, res) => resolve(res.statusCode)),
    );
    expect(refused).toBe(404);
  } finally {
    cri.close();
  }
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
