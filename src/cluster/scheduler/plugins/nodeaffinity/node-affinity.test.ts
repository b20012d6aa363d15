import { describe, expect, it } from 'vitest';
import { CycleState } from '../../framework/interface.ts';
import { makeNode, makePod, nodeInfo } from '../../testing/objects.ts';
import { NodeName } from '../nodename/node-name.ts';
import { NodePorts } from '../nodeports/node-ports.ts';
import { NodeAffinity } from './node-affinity.ts';

const ssd = makeNode('ssd-1', { labels: { disk: 'ssd', cores: '16' } });
const hdd = makeNode('hdd-1', { labels: { disk: 'hdd', cores: '4' } });

describe('NodeAffinity', () => {
  const plugin = new NodeAffinity();
  const fits = (pod: ReturnType<typeof makePod>, node = ssd) =>
    plugin.filter(new CycleState(), pod, nodeInfo(node));

  it('needs every nodeSelector label', () => {
    expect(fits(makePod('p', {}, { nodeSelector: { disk: 'ssd' } }))).toBeUndefined();
    expect(fits(makePod('p', {}, { nodeSelector: { disk: 'ssd' } }), hdd)?.reasons).toEqual([
      "node(s) didn't match Pod's node affinity/selector",
    ]);
  });

  it('ORs required terms and ANDs the expressions within a term', () => {
    const term = (expressions: object[]) => ({ matchExpressions: expressions });
    const affinity = (...terms: object[]) => ({
      affinity: {
        nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } },
      },
    });
    const pod = makePod(
      'p',
      {},
      affinity(
        term([
          { key: 'disk', operator: 'In', values: ['ssd'] },
          { key: 'cores', operator: 'Gt', values: ['8'] },
        ]),
        term([{ key: 'gpu', operator: 'Exists' }]),
      ) as never,
    );
    expect(fits(pod)).toBeUndefined();
    expect(fits(pod, hdd)?.code).toBe('UnschedulableAndUnresolvable');
    const byName = makePod(
      'p',
      {},
      affinity({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['hdd-1'] }] }) as never,
    );
    expect(fits(byName, hdd)).toBeUndefined();
    expect(fits(makePod('p', {}, affinity({}) as never))?.code).toBe('UnschedulableAndUnresolvable');
  });

  it('scores preferred terms by weight, normalised to 100', () => {
    const pod = makePod('p', {}, {
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 30,
              preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] },
            },
            { weight: 10, preference: { matchExpressions: [{ key: 'cores', operator: 'Exists' }] } },
          ],
        },
      },
    } as never);
    const scores = [ssd, hdd].map((n) => ({
      name: n.metadata.name!,
      score: plugin.score(new CycleState(), pod, nodeInfo(n)),
    }));
    expect(scores.map((s) => s.score)).toEqual([40, 10]);
    plugin.normalizeScore(new CycleState(), pod, scores);
    expect(scores.map((s) => s.score)).toEqual([100, 25]);
  });
});

describe('NodeName and NodePorts', () => {
  it('NodeName passes only the named node', () => {
    const pod = makePod('p', {}, { nodeName: 'hdd-1' });
    expect(new NodeName().filter(new CycleState(), pod, nodeInfo(ssd))?.reasons).toEqual([
      "node(s) didn't match the requested node name",
    ]);
    expect(new NodeName().filter(new CycleState(), pod, nodeInfo(hdd))).toBeUndefined();
  });

  it('NodePorts rules out a node where the host port is taken', () => {
    const withPort = (name: string, hostIP?: string) =>
      makePod(name, {}, {
        containers: [{ name: 'c', resources: {}, ports: [{ containerPort: 80, hostPort: 8080, hostIP }] }],
      } as never);
    const plugin = new NodePorts();
    const state = new CycleState();
    const pod = withPort('p', '127.0.0.1');
    plugin.preFilter(state, pod);
    expect(plugin.filter(state, pod, nodeInfo(ssd, withPort('other')))?.reasons).toEqual([
      "node(s) didn't have free ports for the requested pod ports",
    ]);
    expect(plugin.filter(state, pod, nodeInfo(ssd, withPort('other', '127.0.0.2')))).toBeUndefined();
  });
});
