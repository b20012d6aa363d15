// `npm run bench -- tui`: the terminal UI under load. A control plane of its own (scheduler on) with
// 10 virtual Nodes (Node objects, no kubelet) and 500 pods bound to them; the UI runs as its own
// process attached to that lab (bench/tui/ui-process.tsx). Figures: frames per second and CPU of
// the UI process idle and under a stream of 100 pod updates a second (each a watch event for the
// cluster map and an audit line for the Flow tab), and key echo latency: a key written to the UI's
// stdin until a frame shows it at the prompt. BENCH_QUICK=1 shortens the phases.

import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { ApiClient, percentile } from '../apiserver/client.ts';
import { startControlPlane } from '../apiserver/control-plane.ts';
import { openLoop, workerPool } from '../apiserver/load.ts';
import { machineLine } from '../apiserver/machine.ts';
import { formatTable, type Row } from '../apiserver/report.ts';
import { readCpuSeconds } from '../proc.ts';

const quick = process.env.BENCH_QUICK === '1';
const NODES = 10;
const PODS = 500;
const EVENTS_PER_SECOND = 100;
const PHASE_MS = quick ? 5_000 : 15_000;
const ECHO_SAMPLES = quick ? 15 : 40;
/** Between keys: a fast typist (400 keys a minute). */
const KEY_GAP_MS = 150;
const NAMESPACE = 'tui-bench';
const UI_SCRIPT = fileURLToPath(new URL('./ui-process.tsx', import.meta.url));
/** Extra node flags for the UI process, e.g. `BENCH_UI_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR"`. */
const UI_NODE_ARGS = (process.env.BENCH_UI_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);

const node = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  status: {
    capacity: { cpu: '64', memory: '256Gi', pods: '110' },
    allocatable: { cpu: '64', memory: '256Gi', pods: '110' },
    conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'virtual node' }],
  },
});

const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: NAMESPACE },
  spec: { containers: [{ name: 'web', image: 'nginx', resources: { requests: { cpu: '10m' } } }] },
});

/** The UI process: what it drew as text (escape codes removed, the last 200k characters) and its frames. */
class UiProcess {
  private text = '';
  /** Characters received in all, so offsets stay valid as the kept text drops its head. */
  private received = 0;

  constructor(readonly child: ChildProcess) {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      const plain = stripVTControlCharacters(chunk);
      this.received += plain.length;
      this.text = (this.text + plain).slice(-200_000);
    });
  }

  /** An offset in what the UI drew: `drawn` looks only after it. */
  mark(): number {
    return this.received;
  }

  /** Resolves once the UI has drawn `needle` after the offset `from`. */
  async drawn(needle: string, from: number, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    const after = () => this.text.slice(Math.max(0, from - (this.received - this.text.length)));
    while (!after().includes(needle)) {
      if (performance.now() > deadline) throw new Error(`the UI never drew ${JSON.stringify(needle)}`);
      await sleep(1);
    }
  }

  /** Frames written and renders made so far. */
  counts(): Promise<{ frames: number; renders: number }> {
    return new Promise((resolve) => {
      this.child.once('message', (m) => resolve(m as { frames: number; renders: number }));
      this.child.send('frames');
    });
  }

  type(keys: string): void {
    this.child.stdin?.write(keys);
  }
}

/** CPU (% of one core), frames written and ink renders per second of the UI over `ms`. */
async function observe(ui: UiProcess, ms: number) {
  const [cpu0, counts0, t0] = [await readCpuSeconds(ui.child.pid!), await ui.counts(), performance.now()];
  await sleep(ms);
  const seconds = (performance.now() - t0) / 1_000;
  const [cpu1, counts1] = [await readCpuSeconds(ui.child.pid!), await ui.counts()];
  return {
    cpuPercent: ((cpu1 - cpu0) / seconds) * 100,
    fps: (counts1.frames - counts0.frames) / seconds,
    rendersPerSecond: (counts1.renders - counts0.renders) / seconds,
  };
}

/** Key echo: letters typed one at a time, each timed from the write to the frame that shows it. */
async function echoLatencies(ui: UiProcess, samples: number, gapMs: number): Promise<number[]> {
  const latencies: number[] = [];
  let typed = '';
  for (let i = 0; i < samples; i++) {
    if (typed.length >= 20) {
      ui.type('\x15'); // Ctrl-U empties the prompt
      typed = '';
      await sleep(gapMs);
    }
    const letter = String.fromCharCode(97 + (i % 26));
    typed += letter;
    const from = ui.mark();
    const sent = performance.now();
    ui.type(letter);
    await ui.drawn(`> ${typed}`, from, 5_000);
    latencies.push(performance.now() - sent);
    await sleep(gapMs);
  }
  ui.type('\x15');
  return latencies;
}

export async function run(): Promise<void> {
  console.log('tui: the terminal UI (its own process) over a lab with 500 pods on 10 virtual nodes');
  console.log(machineLine());
  const cp = await startControlPlane();
  const client = new ApiClient(cp.rest, { connections: 16 });
  let child: ChildProcess | undefined;
  try {
    await client.expectOk('POST', '/api/v1/namespaces', {
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } },
    });
    await workerPool(NODES, 4, async (i) => {
      await client.expectOk('POST', '/api/v1/nodes', { body: node(`node-${i}`) });
    });
    await workerPool(PODS, 16, async (i) => {
      await client.expectOk('POST', `/api/v1/namespaces/${NAMESPACE}/pods`, { body: pod(`web-${i}`) });
    });

    child = spawn(process.execPath, [...UI_NODE_ARGS, '--import', 'tsx', UI_SCRIPT], {
      env: { ...process.env, ORCH_LAB_HOME: cp.home },
      stdio: ['pipe', 'pipe', 'inherit', 'ipc'],
    });
    const ui = new UiProcess(child);
    const started = performance.now();
    await ui.drawn('✓ apiserver', 0, 60_000);
    const bootMs = performance.now() - started;
    await sleep(3_000); // the scheduler binds the last pods, the informers settle

    const idle = await observe(ui, PHASE_MS);
    const idleEcho = await echoLatencies(ui, ECHO_SAMPLES, KEY_GAP_MS);

    // The stream runs for two phases: frames and CPU without typing, then key echo.
    let tick = 0;
    const stream = openLoop(EVENTS_PER_SECOND, 2 * PHASE_MS + 1_000, async () => {
      const n = tick++;
      await client.expectOk('PATCH', `/api/v1/namespaces/${NAMESPACE}/pods/web-${n % PODS}`, {
        body: { metadata: { annotations: { 'bench/tick': String(n) } } },
        contentType: 'application/merge-patch+json',
      });
    });
    await sleep(1_000);
    const busy = await observe(ui, PHASE_MS);
    const busyLatencies = await echoLatencies(ui, ECHO_SAMPLES, KEY_GAP_MS);
    const streamed = await stream;

    const rows: Row[] = [
      { label: 'attach and first main screen', unit: 'ms', value: bootMs },
      {
        label: 'key echo p50, idle',
        unit: 'ms',
        value: percentile(idleEcho, 50),
        goal: { op: '<=', value: 50 },
      },
      {
        label: 'key echo p95, idle',
        unit: 'ms',
        value: percentile(idleEcho, 95),
        goal: { op: '<=', value: 50 },
      },
      {
        label: `key echo p50, ${EVENTS_PER_SECOND} events/s`,
        unit: 'ms',
        value: percentile(busyLatencies, 50),
        goal: { op: '<=', value: 50 },
      },
      {
        label: `key echo p95, ${EVENTS_PER_SECOND} events/s`,
        unit: 'ms',
        value: percentile(busyLatencies, 95),
        goal: { op: '<=', value: 50 },
      },
      {
        label: 'ink renders/s, idle',
        unit: '/s',
        value: idle.rendersPerSecond,
        goal: { op: '<=', value: 10 },
      },
      {
        label: `ink renders/s, ${EVENTS_PER_SECOND} events/s`,
        unit: '/s',
        value: busy.rendersPerSecond,
        goal: { op: '<=', value: 10 },
      },
      { label: 'frames written/s, idle', unit: '/s', value: idle.fps, goal: { op: '<=', value: 10 } },
      {
        label: `frames written/s, ${EVENTS_PER_SECOND} events/s`,
        unit: '/s',
        value: busy.fps,
        goal: { op: '<=', value: 10 },
      },
      { label: 'UI CPU, idle', unit: '% core', value: idle.cpuPercent, goal: { op: '<=', value: 20 } },
      { label: `UI CPU, ${EVENTS_PER_SECOND} events/s`, unit: '% core', value: busy.cpuPercent },
    ];
    console.log(formatTable(rows));
    console.log(
      `${streamed.latencies.length} pod updates sent (${streamed.errors} failed), ` +
        `${ECHO_SAMPLES} keys ${KEY_GAP_MS} ms apart per echo figure` +
        `${quick ? ' (BENCH_QUICK=1)' : ''}`,
    );
  } finally {
    child?.kill('SIGINT'); // a clean exit, so a --cpu-prof profile is written
    client.close();
    await cp.stop();
  }
}
