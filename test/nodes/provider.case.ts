import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodes } from '../../src/cluster/api/resources.ts';
import { isNotFound } from '../../src/cluster/client/rest-client.ts';
import type { NodeProvider } from '../../src/cluster/nodes/provider.ts';
import { isNodeReady, waitForNodesReady } from '../../src/cluster/nodes/ready.ts';
import { startTestLab, type TestLab } from '../support/lab.ts';

/**
 * What every node provider must do, run against each one (process now, Docker later) as hono runs
 * one router suite against every router: a node added, started, stopped, killed and removed, seen
 * both by the provider and through the API. `name` must be node-N with an N no other test uses.
 */
export function runProviderCases(options: {
  readonly provider: string;
  readonly name: string;
  readonly newProvider: (lab: TestLab) => NodeProvider;
}): void {
  const { name } = options;
  let lab: TestLab;
  let provider: NodeProvider;
  const machine = async () => (await provider.list()).find((m) => m.name === name);
  const processGone = async (pid: number) =>
    !/^\d+ \(.*\) [^Z]/s.test(await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => ''));

  describe(`the ${options.provider} node provider`, () => {
    beforeAll(async () => {
      lab = await startTestLab({ scheduler: false });
      provider = options.newProvider(lab);
    }, 30_000);

    afterAll(async () => {
      await lab?.stop();
    }, 30_000);

    it('adds a node stopped, with its addresses', async () => {
      const index = Number(name.split('-')[1]);
      const added = await provider.add({ name, capacity: { cpu: '3' } });
      expect(added).toEqual({
        name,
        state: 'stopped',
        nodeIP: `127.100.0.${index}`,
        podCIDR: `127.244.${index}.0/24`,
      });
      expect(await provider.list()).toEqual([added]);
    });

    it('starts the node, which registers Ready with its capacity', async () => {
      const started = Date.now();
      const running = await provider.start(name);
      expect(running.state).toBe('running');
      await waitForNodesReady(lab.client, [name], { timeoutMs: 20_000, since: started });
      const node = await lab.client.resource(nodes).get(name);
      expect(node.status?.capacity?.cpu).toBe('3');
      expect((await provider.start(name)).pid).toBe(running.pid);
    });

    it('stops the node cleanly and starts it again', async () => {
      const { pid } = (await machine())!;
      await provider.stop(name);
      expect((await machine())?.state).toBe('stopped');
      expect(await processGone(pid!)).toBe(true);
      const started = Date.now();
      const restarted = await provider.start(name);
      expect(restarted.pid).not.toBe(pid);
      await waitForNodesReady(lab.client, [name], { timeoutMs: 20_000, since: started });
      expect(isNodeReady(await lab.client.resource(nodes).get(name))).toBe(true);
    });

    it('kills the node at once', async () => {
      const { pid } = (await machine())!;
      await provider.kill(name);
      expect(await processGone(pid!)).toBe(true);
      expect((await machine())?.state).toBe('stopped');
      await expect(provider.kill(name)).rejects.toThrow(`node ${name} is not running`);
    });

    it('removes the node and its Node object', async () => {
      await provider.remove(name);
      expect(await provider.list()).toEqual([]);
      await expect(lab.client.resource(nodes).get(name)).rejects.toSatisfy(isNotFound);
    });
  });
}
