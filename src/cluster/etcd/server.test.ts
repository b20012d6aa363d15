// Tests of the store's etcd v3 gRPC face.
//
// 1. etcdctl: the same etcdctl 3.4 commands run against our server and against a real etcd 3.4, and
//    each expects the literal text etcdctl prints. Only what identifies a server (cluster and member
//    IDs, raft term, version, sizes) is read from the server under test, so passing against real etcd
//    proves the expectations and passing against ours proves we print the same.
// 2. The face itself, against ours only: request size limits, malformed payloads, watch IDs and flow
//    control, disconnecting clients, the keep-alive stream, shutdown.

import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { connect, sleep, waitUntil } from '../../../test/support/etcd-client.ts';
import { startEtcd } from '../../../test/support/etcd-process.ts';
import { startOrchStore } from '../../../test/support/orch-store.ts';
import { MemoryBackend } from '../store/memory-backend.ts';
import { Store } from '../store/store.ts';
import type { WatchBatch } from '../store/types.ts';
import { EtcdGrpcServer, SERVER_VERSION } from './server.ts';

const ETCDCTL = process.env.ETCDCTL_BINARY ?? '/usr/bin/etcdctl';

interface CtlResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
}

function spawnEtcdctl(endpoint: string, args: readonly string[]): ChildProcessWithoutNullStreams {
  return spawn(ETCDCTL, [`--endpoints=${endpoint}`, ...args], { env: { ...process.env, ETCDCTL_API: '3' } });
}

/** Runs one etcdctl command to completion, feeding it `input` on stdin. */
function etcdctl(endpoint: string, args: readonly string[], input = ''): Promise<CtlResult> {
  return new Promise((resolve, reject) => {
    const child = spawnEtcdctl(endpoint, args);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, code }));
    child.stdin.end(input);
  });
}

/**
 * etcdctl's failure report without the client library's JSON warning lines, which carry a timestamp
 * and a random client ID.
 */
const errorOf = (res: CtlResult) => ({
  code: res.code,
  stdout: res.stdout,
  stderr: res.stderr
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('{"level":'))
    .join('\n'),
});

/** An etcdctl command that runs until stopped (watch, keep-alive), its stdout read as it comes. */
class Background {
  stdout = '';
  stderr = '';
  private readonly closed: Promise<number | null>;

  constructor(endpoint: string, args: readonly string[]) {
    const child = spawnEtcdctl(endpoint, args);
    this.child = child;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.closed = new Promise((resolve) => child.on('close', resolve));
  }

  private readonly child: ChildProcessWithoutNullStreams;

  waitForLines(count: number): Promise<string> {
    return waitUntil(
      () => this.stdout.split('\n').length > count && this.stdout,
      `${count} lines from etcdctl`,
      10_000,
      () => `; stdout so far: ${JSON.stringify(this.stdout)}, stderr: ${JSON.stringify(this.stderr)}`,
    );
  }

  exited(): Promise<number | null> {
    return this.closed;
  }

  pid(): number {
    return this.child.pid!;
  }

  async stop(): Promise<void> {
    this.child.kill('SIGTERM');
    await this.closed;
  }
}

/** What identifies a server in etcdctl's output; everything else must match literally. */
interface Identity {
  /** Decimal, as in JSON output (uint64, so kept as text). */
  readonly clusterId: string;
  readonly memberId: string;
  /** Hex, as in table and simple output. */
  readonly memberHex: string;
  readonly raftTerm: string;
  readonly version: string;
}

async function identify(endpoint: string): Promise<Identity> {
  const { stdout } = await etcdctl(endpoint, ['endpoint', 'status', '-w', 'json']);
  // JSON.parse would round 64-bit IDs, so the digits are read as text.
  const field = (name: string) => new RegExp(`"${name}":"?([^,}"]*)`).exec(stdout)?.[1] ?? '';
  const memberId = field('member_id');
  return {
    clusterId: field('cluster_id'),
    memberId,
    memberHex: BigInt(memberId).toString(16),
    raftTerm: field('raft_term'),
    version: field('version'),
  };
}

const hexToDecimal = (hex: string): string => BigInt(`0x${hex}`).toString();
const b64 = (s: string): string => Buffer.from(s).toString('base64');

const targets = [
  // The file backend, so Status reports a real size as etcd does.
  ['orch-lab store', () => startOrchStore({ backend: 'file' })],
  ['etcd 3.4', startEtcd],
] as const;

describe.each(targets)('etcdctl against %s', (_name, start) => {
  let target: Awaited<ReturnType<typeof start>>;
  let id: Identity;
  /** Leases a case granted, revoked after it so later cases see none. */
  let leases: string[] = [];
  const ctl = (args: readonly string[], input?: string) => etcdctl(target.endpoint, args, input);
  const header = (revision: number) =>
    `{"cluster_id":${id.clusterId},"member_id":${id.memberId},"revision":${revision},"raft_term":${id.raftTerm}}`;
  const revision = async () => {
    const { stdout } = await ctl(['get', '/probe', '-w', 'json']);
    return Number(/"revision":(\d+)/.exec(stdout)![1]);
  };
  const grant = async (ttl: number) => {
    const { stdout } = await ctl(['lease', 'grant', String(ttl)]);
    const hex = /^lease ([0-9a-f]+) granted/.exec(stdout)![1]!;
    leases.push(hex);
    return hex;
  };

  beforeAll(async () => {
    target = await start();
    id = await identify(target.endpoint);
  });

  afterAll(async () => {
    await target?.stop();
  });

  afterEach(async () => {
    for (const lease of leases) await ctl(['lease', 'revoke', lease]);
    leases = [];
  });

  it('put prints OK; get prints key and value lines, with --prefix, --rev and --keys-only', async () => {
    const base = await revision();
    expect((await ctl(['put', '/kv/a', '1'])).stdout).toBe('OK\n');
    expect((await ctl(['put', '/kv/b', '2'])).stdout).toBe('OK\n');
    expect((await ctl(['put', '/kv/a', '3', '--prev-kv'])).stdout).toBe('OK\n/kv/a\n1\n');
    expect((await ctl(['put', '/kv/c'], 'from stdin')).stdout).toBe('OK\n');
    expect((await ctl(['get', '/kv/a'])).stdout).toBe('/kv/a\n3\n');
    expect((await ctl(['get', '/kv/', '--prefix'])).stdout).toBe('/kv/a\n3\n/kv/b\n2\n/kv/c\nfrom stdin\n');
    expect((await ctl(['get', '/kv/a', '--rev', String(base + 1)])).stdout).toBe('/kv/a\n1\n');
    expect((await ctl(['get', '/kv/', '--prefix', '--keys-only'])).stdout).toBe(
      '/kv/a\n\n/kv/b\n\n/kv/c\n\n',
    );
    expect((await ctl(['get', '/kv/', '--prefix', '--limit', '1'])).stdout).toBe('/kv/a\n3\n');
    expect(await ctl(['get', '/kv/missing'])).toEqual({ stdout: '', stderr: '', code: 0 });
  });

  it('-w json prints the response: base64 bytes, zero fields left out, the lease when set', async () => {
    const base = await revision();
    const lease = await grant(600);
    expect((await ctl(['put', '/json/a', 'x', '-w', 'json'])).stdout).toBe(
      `{"header":${header(base + 1)}}\n`,
    );
    await ctl(['put', '/json/l', 'y', `--lease=${lease}`]);
    const a = `{"key":"${b64('/json/a')}","create_revision":${base + 1},"mod_revision":${base + 1},"version":1`;
    const l = `{"key":"${b64('/json/l')}","create_revision":${base + 2},"mod_revision":${base + 2},"version":1`;
    const leaseField = `"lease":${hexToDecimal(lease)}`;
    expect((await ctl(['get', '/json/', '--prefix', '-w', 'json'])).stdout).toBe(
      `{"header":${header(base + 2)},"kvs":[${a},"value":"${b64('x')}"},${l},"value":"${b64('y')}",${leaseField}}],"count":2}\n`,
    );
    expect((await ctl(['get', '/json/', '--prefix', '--keys-only', '-w', 'json'])).stdout).toBe(
      `{"header":${header(base + 2)},"kvs":[${a}},${l},${leaseField}}],"count":2}\n`,
    );
    expect((await ctl(['get', '/json/missing', '-w', 'json'])).stdout).toBe(
      `{"header":${header(base + 2)}}\n`,
    );
    expect((await ctl(['del', '/json/', '--prefix', '-w', 'json'])).stdout).toBe(
      `{"header":${header(base + 3)},"deleted":2}\n`,
    );
  });

  it('del prints the count, and with --prev-kv the deleted pairs', async () => {
    await ctl(['put', '/del/a', '1']);
    await ctl(['put', '/del/b', '2']);
    await ctl(['put', '/del/c', '3']);
    expect((await ctl(['del', '/del/a'])).stdout).toBe('1\n');
    expect((await ctl(['del', '/del/a'])).stdout).toBe('0\n');
    expect((await ctl(['del', '/del/', '--prefix', '--prev-kv'])).stdout).toBe('2\n/del/b\n2\n/del/c\n3\n');
  });

  it('a read at a future revision fails with etcd status and message', async () => {
    const base = await revision();
    expect(errorOf(await ctl(['get', '/future', '--rev', String(base + 100)]))).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error: etcdserver: mvcc: required revision is a future revision',
    });
  });

  it('txn reads compares, success ops and failure ops from stdin', async () => {
    const base = await revision();
    await ctl(['put', '/txn/k', 'v']);
    const script = (value: string) =>
      `value("/txn/k") = "${value}"\n\nput /txn/out yes\nget /txn/k\n\nput /txn/out no\nget /txn/out\n\n`;
    expect(await ctl(['txn'], script('v'))).toEqual({
      stdout: 'SUCCESS\n\nOK\n\n/txn/k\nv\n',
      stderr: '',
      code: 0,
    });
    expect((await ctl(['txn'], script('other'))).stdout).toBe('FAILURE\n\nOK\n\n/txn/out\nno\n');
    expect(
      (await ctl(['txn', '-w', 'json'], 'version("/txn/k") = "1"\n\nput /txn/out json\n\n\n')).stdout,
    ).toBe(
      `{"header":${header(base + 4)},"succeeded":true,"responses":[{"Response":{"ResponsePut":{"header":{"revision":${base + 4}}}}}]}\n`,
    );
    expect((await ctl(['txn', '--interactive'], 'mod("/txn/k") > "0"\n\n\n\n')).stdout).toBe(
      'compares:\nsuccess requests (get, put, del):\nfailure requests (get, put, del):\nSUCCESS\n',
    );
  });

  it('watch replays from --rev and then follows live changes under a --prefix', async () => {
    const base = await revision();
    await ctl(['put', '/watch/a', '1']);
    await ctl(['put', '/watch/b', '2']);
    await ctl(['del', '/watch/a']);
    await ctl(['put', '/elsewhere', 'x']);
    const watch = new Background(target.endpoint, [
      'watch',
      '/watch/',
      '--prefix',
      '--rev',
      String(base + 1),
    ]);
    try {
      await watch.waitForLines(9);
      await ctl(['put', '/watch/c', '3']);
      await ctl(['put', '/elsewhere', 'y']);
      await ctl(['put', '/watch/b', '4']);
      expect(await watch.waitForLines(15)).toBe(
        'PUT\n/watch/a\n1\nPUT\n/watch/b\n2\nDELETE\n/watch/a\n\nPUT\n/watch/c\n3\nPUT\n/watch/b\n4\n',
      );
    } finally {
      await watch.stop();
    }
    const prevKv = new Background(target.endpoint, ['watch', '/watch/b', '--prev-kv', '-w', 'json']);
    try {
      await sleep(300);
      await ctl(['del', '/watch/b']);
      const event = `{"type":1,"kv":{"key":"${b64('/watch/b')}","mod_revision":${base + 8}},"prev_kv":{"key":"${b64('/watch/b')}","create_revision":${base + 2},"mod_revision":${base + 7},"version":2,"value":"${b64('4')}"}}`;
      expect(await prevKv.waitForLines(1)).toBe(
        `{"Header":${header(base + 8)},"Events":[${event}],"CompactRevision":0,"Canceled":false,"Created":false}\n`,
      );
    } finally {
      await prevKv.stop();
    }
  });

  it('lease grant, keep-alive, timetolive --keys, list and revoke', async () => {
    const base = await revision();
    const lease = await grant(60);
    expect(lease).toMatch(/^[0-9a-f]{16}$/);
    // One key: etcd lists a lease's keys in Go map order, which differs from run to run.
    await ctl(['put', '/lease/a', '1', `--lease=${lease}`]);
    // Whole seconds remaining: 59 unless this machine stalls for a second.
    const remaining = (s: string) => s.replace(/remaining\((59|60)s\)|"ttl":(59|60),/, 'remaining(R)');
    expect(remaining((await ctl(['lease', 'timetolive', lease])).stdout)).toBe(
      `lease ${lease} granted with TTL(60s), remaining(R)\n`,
    );
    expect(remaining((await ctl(['lease', 'timetolive', lease, '--keys'])).stdout)).toBe(
      `lease ${lease} granted with TTL(60s), remaining(R), attached keys([/lease/a])\n`,
    );
    expect(remaining((await ctl(['lease', 'timetolive', lease, '--keys', '-w', 'json'])).stdout)).toBe(
      `${header(base + 1).slice(0, -1)},"id":${hexToDecimal(lease)},remaining(R)"granted-ttl":60,"keys":["${b64('/lease/a')}"]}\n`,
    );
    expect((await ctl(['lease', 'list'])).stdout).toBe(`found 1 leases\n${lease}\n`);
    expect((await ctl(['lease', 'keep-alive', '--once', lease])).stdout).toBe(
      `lease ${lease} keepalived with TTL(60)\n`,
    );
    const keepAlive = new Background(target.endpoint, ['lease', 'keep-alive', lease]);
    try {
      expect(await keepAlive.waitForLines(1)).toBe(`lease ${lease} keepalived with TTL(60)\n`);
    } finally {
      await keepAlive.stop();
    }
    expect((await ctl(['lease', 'revoke', lease])).stdout).toBe(`lease ${lease} revoked\n`);
    expect((await ctl(['get', '/lease/', '--prefix', '--keys-only'])).stdout).toBe('');
    expect((await ctl(['lease', 'timetolive', lease])).stdout).toBe(`lease ${lease} already expired\n`);
    expect((await ctl(['lease', 'list'])).stdout).toBe('found 0 leases\n');
    expect(errorOf(await ctl(['lease', 'revoke', lease]))).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error: failed to revoke lease (etcdserver: requested lease not found)',
    });
    expect(errorOf(await ctl(['lease', 'keep-alive', '--once', lease]))).toEqual({
      code: 2,
      stdout: '',
      stderr: 'Error: etcdserver: requested lease not found',
    });
    expect(errorOf(await ctl(['put', '/lease/c', '3', `--lease=${lease}`]))).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error: etcdserver: requested lease not found',
    });
  });

  it('lease grant -w json', async () => {
    const base = await revision();
    const { stdout } = await ctl(['lease', 'grant', '30', '-w', 'json']);
    const leaseId = /"ID":(\d+)/.exec(stdout)![1]!;
    leases.push(BigInt(leaseId).toString(16));
    expect(stdout).toBe(`${header(base).slice(0, -1)},"ID":${leaseId},"TTL":30,"Error":""}\n`);
  });

  it('endpoint status in simple, json and table form', async () => {
    const rev = await revision();
    const json = (await ctl(['endpoint', 'status', '-w', 'json'])).stdout;
    const number = (name: string) => Number(new RegExp(`"${name}":(\\d+)`).exec(json)![1]);
    const [dbSize, raftIndex, raftApplied] = [
      number('dbSize'),
      number('raftIndex'),
      number('raftAppliedIndex'),
    ];
    expect(raftApplied).toBe(raftIndex);
    expect(raftIndex).toBeGreaterThanOrEqual(rev);
    expect(json).toBe(
      `[{"Endpoint":"${target.endpoint}","Status":{"header":${header(rev)},"version":"${id.version}","dbSize":${dbSize},"leader":${id.memberId},"raftIndex":${raftIndex},"raftTerm":${id.raftTerm},"raftAppliedIndex":${raftApplied},"dbSizeInUse":${number('dbSizeInUse')}}}]\n`,
    );
    // DB SIZE is humanized ("20 kB", "0 B"); every other column is exact.
    const humanSize = /\d+(\.\d)? [kMG]?B/;
    const row = [
      target.endpoint,
      id.memberHex,
      id.version,
      'SIZE',
      'true',
      'false',
      id.raftTerm,
      raftIndex,
      raftApplied,
    ];
    const simple = (await ctl(['endpoint', 'status'])).stdout.replace(humanSize, 'SIZE');
    expect(simple).toBe(`${row.join(', ')}, \n`);
    const table = (await ctl(['endpoint', 'status', '-w', 'table'])).stdout.split('\n');
    expect(table[1]).toMatch(
      /^\| +ENDPOINT +\| +ID +\| +VERSION +\| +DB SIZE +\| +IS LEADER +\| +IS LEARNER +\| +RAFT TERM +\| +RAFT INDEX +\| +RAFT APPLIED INDEX +\| +ERRORS +\|$/,
    );
    const cells = table[3]!
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    expect(cells).toEqual(
      [...row.map(String), ''].map((cell) => (cell === 'SIZE' ? expect.stringMatching(humanSize) : cell)),
    );
    expect(table).toHaveLength(6);
  });

  it('endpoint health (etcdctl prints it on stderr)', async () => {
    const res = await ctl(['endpoint', 'health']);
    expect(res.stderr).toMatch(
      new RegExp(`^${target.endpoint} is healthy: successfully committed proposal: took = [\\d.]+[µm]?s\\n$`),
    );
  });

  it('compaction drops history: old reads and watches fail as compacted', async () => {
    await ctl(['put', '/compact/a', '1']);
    const at = await revision();
    await ctl(['put', '/compact/a', '2']);
    expect((await ctl(['compaction', String(at)])).stdout).toBe(`compacted revision ${at}\n`);
    const compacted = 'Error: etcdserver: mvcc: required revision has been compacted';
    expect(errorOf(await ctl(['get', '/compact/a', '--rev', String(at - 1)]))).toEqual({
      code: 1,
      stdout: '',
      stderr: compacted,
    });
    expect((await ctl(['get', '/compact/a', '--rev', String(at)])).stdout).toBe('/compact/a\n1\n');
    expect(errorOf(await ctl(['compaction', String(at)]))).toEqual({
      code: 1,
      stdout: '',
      stderr: compacted,
    });
    expect(errorOf(await ctl(['watch', '/compact/a', '--rev', '1']))).toEqual({
      code: 5,
      stdout: '',
      stderr:
        'watch was canceled (etcdserver: mvcc: required revision has been compacted)\nError: watch is canceled by the server',
    });
  });
});

// --- The face itself ------------------------------------------------------------------------------

const PROTO_DIR = fileURLToPath(new URL('.', import.meta.url));
const definition = protoLoader.loadSync('etcd.proto', {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_DIR],
});
const method = (serviceName: string, name: string) =>
  (definition[`etcdserverpb.${serviceName}`] as grpc.ServiceDefinition)[name]!;

interface WatchResponse {
  readonly header: { readonly revision: string };
  readonly watch_id: string;
  readonly created: boolean;
  readonly canceled: boolean;
  readonly compact_revision: string;
  readonly cancel_reason: string;
  readonly events: {
    readonly type: string;
    readonly kv: { readonly key: Buffer; readonly mod_revision: string };
  }[];
}

/** A plain gRPC client of our own .proto, for what the etcd clients will not send. */
class RawClient {
  private readonly client: grpc.Client;

  constructor(endpoint: string) {
    this.client = new grpc.Client(endpoint, grpc.credentials.createInsecure());
  }

  unary<Res>(serviceName: string, name: string, request: object): Promise<Res> {
    const m = method(serviceName, name);
    return this.send(m.path, m.requestSerialize(request), m.responseDeserialize as (b: Buffer) => Res);
  }

  /** Sends `bytes` as the request message, whatever they are. */
  send<Res>(path: string, bytes: Buffer, decode: (b: Buffer) => Res = (b) => b as Res): Promise<Res> {
    return new Promise((resolve, reject) =>
      this.client.makeUnaryRequest(
        path,
        (b: Buffer) => b,
        decode,
        bytes,
        (err, res) => (err ? reject(err) : resolve(res!)),
      ),
    );
  }

  stream<Res>(serviceName: string, name: string): grpc.ClientDuplexStream<object, Res> {
    const m = method(serviceName, name);
    return this.client.makeBidiStreamRequest(
      m.path,
      m.requestSerialize,
      m.responseDeserialize as (b: Buffer) => Res,
    );
  }

  /** A stream whose request messages are raw bytes. */
  rawStream(path: string): grpc.ClientDuplexStream<Buffer, Buffer> {
    return this.client.makeBidiStreamRequest(
      path,
      (b: Buffer) => b,
      (b: Buffer) => b,
    );
  }

  close(): void {
    this.client.close();
  }
}

/** Every response of a watch stream, in order, and how the stream ended. */
class WatchResponses {
  readonly responses: WatchResponse[] = [];
  status: grpc.StatusObject | undefined;
  error: grpc.ServiceError | undefined;

  constructor(readonly call: grpc.ClientDuplexStream<object, WatchResponse>) {
    call.on('data', (res: WatchResponse) => this.responses.push(res));
    call.on('status', (status: grpc.StatusObject) => {
      this.status = status;
    });
    call.on('error', (err: grpc.ServiceError) => {
      this.error = err;
    });
  }

  async create(request: object): Promise<WatchResponse> {
    const seen = this.responses.length;
    this.call.write({ create_request: request });
    return waitUntil(() => this.responses.slice(seen).find((r) => r.created), 'the created answer');
  }

  waitFor<T>(probe: () => T | undefined | false, what: string, timeoutMs = 5_000): Promise<T> {
    return waitUntil(probe, what, timeoutMs, () => `; got ${JSON.stringify(this.responses.slice(-5))}`);
  }
}

const statusOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return 'no error';
  } catch (err) {
    const e = err as grpc.ServiceError;
    return { code: grpc.status[e.code], details: e.details };
  }
};

describe('EtcdGrpcServer', () => {
  const MAX_REQUEST_BYTES = 64 * 1024;
  let store: Store;
  let server: EtcdGrpcServer;
  let raw: RawClient;
  const ctl = (args: readonly string[], input?: string) => etcdctl(server.address, args, input);

  beforeAll(async () => {
    store = await Store.open({ backend: new MemoryBackend() });
    server = await EtcdGrpcServer.start(store, {
      listen: '127.0.0.1:0',
      name: 'lab',
      clusterId: 0xfedcba9876543210n,
      memberId: 0x0123456789abcdefn,
      maxRequestBytes: MAX_REQUEST_BYTES,
    });
    raw = new RawClient(server.address);
  });

  afterAll(async () => {
    raw?.close();
    await server?.close();
    await store?.close();
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('binds the port it was given 0 for, and reports its identity and version', async () => {
    expect(server.address).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
    expect((await ctl(['member', 'list'])).stdout).toBe(
      `123456789abcdef, started, lab, , http://${server.address}, false\n`,
    );
    expect((await ctl(['endpoint', 'status'])).stdout).toMatch(
      new RegExp(
        `^${server.address}, 123456789abcdef, ${SERVER_VERSION}, 0 B, true, false, 1, \\d+, \\d+, \\n$`,
      ),
    );
    expect((await ctl(['get', 'x', '-w', 'json'])).stdout).toMatch(
      /^\{"header":\{"cluster_id":18364758544493064720,"member_id":81985529216486895,"revision":\d+,"raft_term":1\}\}\n$/,
    );
  });

  it('a write over maxRequestBytes fails as too large; past the gRPC limit gRPC refuses it', async () => {
    const tooLarge = 'Error: etcdserver: request is too large';
    expect(errorOf(await ctl(['put', '/big'], 'x'.repeat(MAX_REQUEST_BYTES + 1)))).toEqual({
      code: 1,
      stdout: '',
      stderr: tooLarge,
    });
    const client = connect(server.address);
    try {
      const big = Buffer.alloc(MAX_REQUEST_BYTES + 1);
      await expect(
        client.kv.txn({ success: [{ request_put: { key: Buffer.from('/big'), value: big } }] }),
      ).rejects.toThrow('etcdserver: request is too large');
      // Reads are not limited by maxRequestBytes, only by what gRPC takes: maxRequestBytes + 512 KiB.
      await expect(client.kv.range({ key: big })).resolves.toMatchObject({ kvs: [] });
      const huge = Buffer.alloc(MAX_REQUEST_BYTES + 512 * 1024 + 1);
      expect(await statusOf(raw.unary('KV', 'Range', { key: huge }))).toEqual({
        code: 'RESOURCE_EXHAUSTED',
        details: expect.stringMatching(/^Received message larger than max/),
      });
      await client.put('/big').value('fits');
      expect(await client.get('/big')).toBe('fits');
    } finally {
      client.close();
    }
  });

  it('malformed messages get a gRPC error and the server keeps serving', async () => {
    // Bytes no protobuf decoder accepts: a field claiming 2 GiB in a 6-byte message, and a field of wire
    // type 7, which does not exist.
    const garbage = [Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x07]), Buffer.from([0x0f, 0x01])];
    for (const bytes of garbage) {
      for (const path of ['/etcdserverpb.KV/Put', '/etcdserverpb.KV/Range', '/etcdserverpb.KV/Txn']) {
        expect(await statusOf(raw.send(path, bytes))).toEqual({
          code: 'INTERNAL',
          details: 'Error deserializing request',
        });
      }
    }
    // Well-formed but meaningless: an op with nothing set (etcd's answer: key not found), and a
    // compare target that does not exist (TxnRequest{compare: [{target: 9, key: "a"}]}).
    expect(await statusOf(raw.unary('KV', 'Txn', { success: [{}] }))).toEqual({
      code: 'INVALID_ARGUMENT',
      details: 'etcdserver: key not found',
    });
    const badTarget = Buffer.from([0x0a, 0x05, 0x10, 0x09, 0x1a, 0x01, 0x61]);
    expect(await statusOf(raw.send('/etcdserverpb.KV/Txn', badTarget))).toEqual({
      code: 'INVALID_ARGUMENT',
      details: 'etcdserver: unknown compare target 9',
    });
    const watch = raw.rawStream('/etcdserverpb.Watch/Watch');
    const ended = new Promise<grpc.StatusObject>((resolve) => watch.on('status', resolve));
    watch.on('error', () => {});
    watch.write(garbage[0]!);
    expect(await ended).toMatchObject({ code: grpc.status.INTERNAL });
    expect((await ctl(['put', '/after-garbage', 'ok'])).stdout).toBe('OK\n');
  });

  it('watch IDs are local to a stream and count from 0; a requested ID must be free', async () => {
    const a = new WatchResponses(raw.stream('Watch', 'Watch'));
    const b = new WatchResponses(raw.stream('Watch', 'Watch'));
    try {
      const rev = String(store.revision);
      expect((await a.create({ key: Buffer.from('/ids/x') })).watch_id).toBe('0');
      expect((await a.create({ key: Buffer.from('/ids/y') })).watch_id).toBe('1');
      expect((await b.create({ key: Buffer.from('/ids/x') })).watch_id).toBe('0');
      expect((await a.create({ key: Buffer.from('/ids/z'), watch_id: 7 })).watch_id).toBe('7');
      expect(await a.create({ key: Buffer.from('/ids/z'), watch_id: 7 })).toMatchObject({
        header: { revision: rev },
        watch_id: '-1',
        created: true,
        canceled: true,
        cancel_reason: 'mvcc: duplicate watch ID provided on the WatchStream',
      });
      a.call.write({ cancel_request: { watch_id: 0 } });
      a.call.write({ cancel_request: { watch_id: 42 } });
      await a.waitFor(() => a.responses.find((r) => r.canceled && r.watch_id === '0'), 'the cancel answer');
      // An ID given out once is not given out again, even after its watcher is gone.
      expect((await a.create({ key: Buffer.from('/ids/x') })).watch_id).toBe('2');
      await ctl(['put', '/ids/x', '1']);
      await b.waitFor(() => b.responses.find((r) => r.events.length > 0), 'the event on b');
      await a.waitFor(() => a.responses.find((r) => r.events.length > 0), 'the event on a');
      expect(a.responses.filter((r) => r.events.length > 0).map((r) => r.watch_id)).toEqual(['2']);
      expect(a.responses.filter((r) => r.watch_id === '42')).toEqual([]);
    } finally {
      a.call.cancel();
      b.call.cancel();
    }
  });

  it('a progress request answers once for the stream, on watch ID -1, at the current revision', async () => {
    const s = new WatchResponses(raw.stream('Watch', 'Watch'));
    try {
      s.call.write({ progress_request: {} });
      const bare = await s.waitFor(() => s.responses.find((r) => r.watch_id === '-1'), 'the progress answer');
      expect(bare).toMatchObject({
        header: { revision: String(store.revision) },
        events: [],
        created: false,
      });
      await s.create({ key: Buffer.from('/progress/a') });
      await s.create({ key: Buffer.from('/progress/b') });
      await ctl(['put', '/progress/other', '1']);
      s.call.write({ progress_request: {} });
      await s.waitFor(() => s.responses.filter((r) => r.watch_id === '-1').length === 2, 'the second answer');
      await sleep(50);
      expect(s.responses.filter((r) => !r.created).map((r) => [r.watch_id, r.header.revision])).toEqual([
        ['-1', bare.header.revision],
        ['-1', String(store.revision)],
      ]);
    } finally {
      s.call.cancel();
    }
  });

  /** Wraps store.watch to see every watcher's sink answers and cancellations. */
  function spyOnWatchers() {
    const seen = { created: 0, canceled: 0, batches: 0, refused: 0 };
    const watch = store.watch.bind(store);
    vi.spyOn(store, 'watch').mockImplementation((req, sink) => {
      seen.created++;
      const handle = watch(req, (batch: WatchBatch) => {
        seen.batches++;
        const accepted = sink(batch);
        if (!accepted) seen.refused++;
        return accepted;
      });
      return {
        resume: () => handle.resume(),
        cancel: () => {
          seen.canceled++;
          handle.cancel();
        },
      };
    });
    return seen;
  }

  it('a client that goes away mid-watch has every watcher of its stream canceled', async () => {
    const seen = spyOnWatchers();
    const s = new WatchResponses(raw.stream('Watch', 'Watch'));
    await s.create({ key: Buffer.from('/gone/a') });
    await s.create({ key: Buffer.from('/gone/'), range_end: Buffer.from('/gone0') });
    s.call.cancel();
    await waitUntil(() => seen.canceled === 2, 'both watchers canceled');

    // A whole process killed mid-watch: its connection drops without a goodbye.
    const watch = new Background(server.address, ['watch', '/gone/', '--prefix']);
    await waitUntil(() => seen.created === 3, 'the etcdctl watcher');
    await ctl(['put', '/gone/b', '1']);
    await watch.waitForLines(3);
    process.kill(watch.pid(), 'SIGKILL');
    await watch.exited();
    await waitUntil(() => seen.canceled === 3, 'the etcdctl watcher canceled');
    expect((await ctl(['put', '/gone/c', '2'])).stdout).toBe('OK\n');
  });

  it('flow control: a client that stops reading makes the sink refuse; drain resumes with nothing lost', async () => {
    const seen = spyOnWatchers();
    const s = new WatchResponses(raw.stream('Watch', 'Watch'));
    try {
      const created = await s.create({ key: Buffer.from('/flow/'), range_end: Buffer.from('/flow0') });
      const start = Number(created.header.revision) + 1;
      s.call.pause();
      const value = Buffer.alloc(1024, 0x66);
      let puts = 0;
      while (seen.refused === 0) {
        await store.put({ key: Buffer.from(`/flow/${puts++ % 10}`), value });
        if (puts > 20_000) throw new Error('the sink never refused: no backpressure');
      }
      // The refused watcher is parked: hundreds more writes reach its sink only when the stream drains
      // into the client's flow-control window, a handful of times at most.
      const batches = seen.batches;
      for (let i = 0; i < 500; i++) await store.put({ key: Buffer.from(`/flow/${puts++ % 10}`), value });
      await sleep(50);
      expect(seen.batches - batches).toBeLessThan(10);
      s.call.resume();
      const events = () => s.responses.flatMap((r) => r.events);
      await s.waitFor(() => events().length >= puts, `${puts} events`, 20_000);
      await sleep(50);
      const revisions = events().map((e) => Number(e.kv.mod_revision));
      expect(revisions).toEqual(Array.from({ length: puts }, (_, i) => start + i));
    } finally {
      s.call.cancel();
    }
  });

  it('LeaseKeepAlive answers every request in order, TTL 0 for a lease that is gone', async () => {
    const client = connect(server.address);
    try {
      const lease = await client.leaseClient.leaseGrant({ TTL: 30 });
      const stream = raw.stream<{ ID: string; TTL: string }>('Lease', 'LeaseKeepAlive');
      const answers: { ID: string; TTL: string }[] = [];
      stream.on('data', (res: { ID: string; TTL: string }) => answers.push(res));
      const ended = new Promise<grpc.StatusObject>((resolve) => stream.on('status', resolve));
      for (const id of [lease.ID, '12345', lease.ID]) stream.write({ ID: id });
      stream.end();
      expect(await ended).toMatchObject({ code: grpc.status.OK });
      expect(answers.map((a) => [a.ID, a.TTL])).toEqual([
        [lease.ID, '30'],
        ['12345', '0'],
        [lease.ID, '30'],
      ]);
      await client.leaseClient.leaseRevoke({ ID: lease.ID });
    } finally {
      client.close();
    }
  });

  it('closing the server ends open streams with "etcdserver: server stopped"', async () => {
    const own = await Store.open({ backend: new MemoryBackend() });
    const face = await EtcdGrpcServer.start(own, { listen: '127.0.0.1:0' });
    const client = new RawClient(face.address);
    try {
      const s = new WatchResponses(client.stream('Watch', 'Watch'));
      await s.create({ key: Buffer.from('/stop') });
      const keepAlive = client.stream('Lease', 'LeaseKeepAlive');
      const keepAliveEnded = new Promise<grpc.StatusObject>((resolve) => keepAlive.on('status', resolve));
      keepAlive.on('error', () => {});
      const answered = new Promise((resolve) => keepAlive.once('data', resolve));
      keepAlive.write({ ID: '1' });
      await answered;
      await face.close();
      const stopped = { code: grpc.status.UNAVAILABLE, details: 'etcdserver: server stopped' };
      await s.waitFor(() => s.status, 'the watch stream to end');
      expect(s.status).toMatchObject(stopped);
      expect(await keepAliveEnded).toMatchObject(stopped);
    } finally {
      client.close();
      await own.close();
    }
  });
});
