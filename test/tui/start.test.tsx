import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
// ink's own chalk: it found no colour terminal in the test runner, so the tests turn colour on.
import chalk from 'chalk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UpProgress } from '../../src/cli/commands/lab.ts';
import { bootLab } from '../../src/tui/boot.ts';
import { ThemeContext, themeFor } from '../../src/tui/context.ts';
import { type QuitChoice, Start } from '../../src/tui/Start.tsx';
import { startTestLab, type TestLab } from '../support/lab.ts';
import { boxText, KEYS, renderInTerminal, type TestTerminal } from './terminal.ts';

const NODE = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' } },
  spec: {},
};

const NODE_STATUS = {
  status: {
    capacity: { cpu: '2', memory: '4Gi', pods: '110' },
    allocatable: { cpu: '2', memory: '4Gi', pods: '110' },
    conditions: [
      { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
    ],
    nodeInfo: {
      machineID: 'm',
      systemUUID: 's',
      bootID: 'b',
      kernelVersion: '6.1.0',
      osImage: 'Debian GNU/Linux 12 (bookworm)',
      containerRuntimeVersion: 'containerd://1.6.20',
      kubeletVersion: 'v1.32.4',
      kubeProxyVersion: 'v1.32.4',
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  },
};

const ESC = String.fromCharCode(0x1b);

async function waitUntil(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('orch-lab start (the terminal UI) against a running control plane', () => {
  let lab: TestLab;
  let term: TestTerminal;
  const quits: QuitChoice[] = [];
  let release: () => void = () => {};

  const chalkLevel = chalk.level;
  beforeAll(async () => {
    chalk.level = 2; // 256 colours, as the theme uses
    // The hand-made node has no kubelet to renew its lease; it stays Ready for the whole file.
    lab = await startTestLab({ controllerManager: { nodeLifecycle: { nodeMonitorGracePeriodMs: 600_000 } } });
    // The real start-up, held at its end until the test has read the steps off the screen.
    const held = new Promise<void>((resolve) => (release = resolve));
    const boot = async (progress: UpProgress) => {
      const session = await bootLab(
        { home: lab.home, apiPort: 0, etcdPort: 0, nodes: 0, runtime: 'process' },
        progress,
      );
      await progress.step('Opening the main screen', () => held);
      return session;
    };
    term = renderInTerminal(<Start boot={boot} onQuit={(c) => quits.push(c)} />, { columns: 100, rows: 30 });
  });
  /** Types a line at the prompt (which has the keys), sends it, and waits for `answer`. */
  const prompt = async (line: string, answer: string | RegExp) => {
    // Keys typed while a command still runs (the prompt shows "…") are not taken.
    await term.waitFor(/^│ > /m);
    await term.type(line);
    await term.waitFor(`> ${line}`);
    await term.type(KEYS.enter);
    await term.waitFor(answer);
  };

  afterAll(async () => {
    chalk.level = chalkLevel;
    term?.unmount();
    await lab?.stop();
  });

  it('attaches to the running lab, listing its start-up steps, then shows the main screen', async () => {
    const boot = (await term.waitFor('Opening the main screen')).join('\n');
    expect(boot).toContain(`The lab in ${lab.home} is already running`);
    expect(boot).toMatch(/✓ Connecting to the API server and filling the caches \d+\.\ds/);
    release();
    const screen = (await term.waitFor('✓ apiserver')).join('\n');
    expect(screen).toMatch(/Events.*Flow.*Store.*Scheduler.*Lesson/);
    expect(screen).toContain('unscheduled (0)');
  });

  it('shows a pod created at the prompt inside the box of the node the scheduler bound it to', async () => {
    // No kubelet here: the node is registered by hand, Ready and with room, as a kubelet would.
    const created = await lab.kubectl(['create', '-f', '-'], { input: JSON.stringify(NODE) });
    expect(created.stderr).toBe('');
    const patched = await lab.kubectl([
      'patch',
      'node',
      'node-1',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify(NODE_STATUS),
    ]);
    expect(patched.stderr).toBe('');
    // The node's box names what runs its pods.
    await term.waitFor('node-1 Ready containerd');
    await term.type('kubectl run web --image=nginx');
    await term.waitFor('kubectl run web --image=nginx');
    await term.type(KEYS.enter);
    await term.waitFor('pod/web created');
    await waitUntil(() =>
      boxText(term.screen(), 'node-1 Ready').some((l) =>
        /● web Running|● web Pending|● web ContainerCreating/.test(l),
      ),
    );
    expect(boxText(term.screen(), 'unscheduled').join('\n')).not.toContain('web');
  });

  it('runs a pasted line, whose Enter comes in the same chunk as its text', async () => {
    await term.type('help\r');
    // Only help prints this line; had the Enter been taken as text, nothing would have run.
    await term.waitFor('At the prompt: ↑/↓ history');
  });

  it('completes commands, verbs and live pod names at the prompt', async () => {
    await term.type('kubectl lo');
    await term.type(KEYS.tab);
    await term.waitFor('> kubectl logs ');
    await term.type('w');
    await term.type(KEYS.tab);
    await term.waitFor('> kubectl logs web ');
    await term.type('\x15'); // Ctrl-U empties the line
    await term.waitFor(/│ > +│/);
  });

  it('switches tabs: Flow shows the create and the binding with their store revisions', async () => {
    await term.type(KEYS.escape);
    await term.waitFor('[map]');
    await term.type(KEYS.tab);
    await term.waitFor('[tabs]');
    await term.type('2');
    await term.type('/');
    await term.type('web');
    await term.type(KEYS.enter);
    await term.waitFor('filter "web"');
    // Components are known by their User-Agent (orch-lab/<component>): the prompt's built-in kubectl too.
    await term.waitFor(/kubectl\s+create\s+pods\/default\/web\s+201 rev \d+/);
    await term.waitFor(/kube-scheduler\s+create\s+pods\/default\/web\/binding\s+201 rev \d+/);
  });

  it("shows the pod's key in the Store tab with its current revision", async () => {
    const rv = (await lab.kubectl(['get', 'pod', 'web', '-o', 'jsonpath={.metadata.resourceVersion}']))
      .stdout;
    await term.type('3');
    await term.waitFor('registry/');
    // Walk down the tree to the pod's key: its name, revisions and value show beside the tree.
    for (let i = 0; i < 10 && !term.screen().some((l) => l.includes('/registry/pods/default/web')); i++) {
      await term.type(KEYS.down);
    }
    const screen = (await term.waitFor(`web rev ${rv}`)).join('\n');
    expect(screen).toContain('/registry/pods/default/web');
    // Its history is read back revision by revision: the binding's write, the create before it.
    await term.waitFor(new RegExp(`revisions ${rv} ← \\d+`));
  });

  it('follows the store through its watch and shows what a write changed in the highlighted key', async () => {
    await term.type(':');
    await prompt('kubectl label pod web tier=front', 'pod/web labeled');
    await term.type(KEYS.escape);
    await term.type(KEYS.tab);
    await term.waitFor('[tabs]');
    const rv = (await lab.kubectl(['get', 'pod', 'web', '-o', 'jsonpath={.metadata.resourceVersion}']))
      .stdout;
    // The live strip under the tree is etcd's watch; the key's pane compares its last two revisions.
    await term.waitFor(new RegExp(`PUT +pods/default/web rev ${rv}`));
    await term.waitFor(new RegExp(`rev \\d+ → ${rv}: \\d+ changed`));
    await term.waitFor('+ metadata.labels.tier: "front"');
  });

  it("shows the scheduler's decision for the pod: node-1 passed its filters and was chosen", async () => {
    await term.type('4');
    const screen = (await term.waitFor('★ node-1')).join('\n');
    expect(screen).toContain('web → node-1');
    expect(screen).toMatch(/★ node-1\s+passed/);
  });

  it('opens the object of a highlighted row with Enter: a decision, an event, a request', async () => {
    // On the Scheduler tab (4), focused, filtered to "web".
    await term.type(KEYS.enter);
    await term.waitFor('pod/web · yaml');
    await term.waitFor('kind: Pod');
    await term.type(KEYS.escape);
    await term.type('1');
    await term.waitFor(/Scheduled\s+pod\/web/);
    await term.type(KEYS.enter);
    await term.waitFor('pod/web · yaml');
    await term.type(KEYS.escape);
    await term.type('2');
    // The first request kept about the pod (the oldest may have left the last 500): its row opens the pod.
    await term.type('/');
    await term.type(KEYS.escape); // clears the filter
    await term.type('/');
    await term.type('pods/default/web');
    await term.type(KEYS.enter);
    // Every request row (they start with the time) is about the pod once the filter holds.
    await waitUntil(() => {
      const requests = term.screen().filter((l) => /^│ \d\d:\d\d:\d\d /.test(l));
      return requests.length > 0 && requests.every((l) => l.includes('pods/default/web'));
    });
    await term.type(KEYS.enter);
    await term.waitFor('pods/web · yaml');
    await term.waitFor('kind: Pod');
    await term.type(KEYS.escape);
    await term.waitFor('[tabs]');
  });

  it('charts a rollout (old and new replica sets) and the API request rate', async () => {
    await term.type(':');
    await prompt(
      'kubectl create deployment shop --image=nginx:1.25 --replicas=2',
      'deployment.apps/shop created',
    );
    await prompt('kubectl set image deployment/shop nginx=nginx:1.26', 'deployment.apps/shop image updated');
    const screen = (await term.waitFor('rollout shop')).join('\n');
    expect(screen).toMatch(/new [▁▂▃▄▅▆▇█ ]+ \d/);
    expect(screen).toMatch(/old [▁▂▃▄▅▆▇█ ]+ \d/);
    await term.waitFor(/API +\d+\/s [▁▂▃▄▅▆▇█]/);
  });

  it('runs what the built-in kubectl does not cover with the real one, saying so once; a setting picks it for all', async () => {
    // -o jsonpath is not built in.
    await prompt('kubectl get pod web -o jsonpath={.metadata.name}', /^│ web +│$/m);
    await prompt('kubectl get pod web -o jsonpath={.kind}', /^│ Pod +│$/m);
    const notes = term.screen().filter((l) => l.includes('the real kubectl runs it'));
    expect(notes).toHaveLength(1);
    await prompt('kubectl describe pod web', /Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned/);
    await prompt('setting kubectl real', 'kubectl: real');
    expect(JSON.parse(await readFile(join(lab.home, 'settings.json'), 'utf8'))).toEqual({ kubectl: 'real' });
    await prompt('setting kubectl builtin', 'kubectl: builtin');
    await term.type(KEYS.escape);
    await term.type('4');
  });

  it('draws without colour under NO_COLOR, keeping inverse and bold for what is highlighted', async () => {
    const boot = (progress: UpProgress) =>
      bootLab({ home: lab.home, apiPort: 0, etcdPort: 0, nodes: 0, runtime: 'process' }, progress);
    const plain = renderInTerminal(
      <ThemeContext.Provider value={themeFor({ NO_COLOR: '1' })}>
        <Start boot={boot} onQuit={() => {}} />
      </ThemeContext.Provider>,
      { columns: 100, rows: 30 },
    );
    try {
      await plain.waitFor('✓ apiserver');
      await plain.waitFor('rollout shop');
      // SGR parameters that set a colour: 30-38 and 90-97 (text), 40-48 and 100-107 (background).
      const colours = (raw: string) =>
        [...raw.matchAll(new RegExp(`${ESC}\\[([0-9;]*)m`, 'g'))]
          .flatMap((m) => m[1]!.split(';').map(Number))
          .filter((n) => (n >= 30 && n <= 38) || (n >= 40 && n <= 48) || (n >= 90 && n <= 107));
      expect(colours(plain.raw())).toEqual([]);
      expect(colours(term.raw()).length).toBeGreaterThan(0);
    } finally {
      plain.unmount();
    }
  });

  it('asks on q whether to leave the lab running; Enter leaves it', async () => {
    await term.type('q');
    await term.waitFor('Leave the lab running? [Y/n]');
    await term.type(KEYS.enter);
    await waitUntil(() => quits.length > 0);
    expect(quits).toEqual(['leave']);
  });
});
