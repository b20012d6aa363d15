import { describe, expect, it } from 'vitest';
import { SchedulerCache } from './cache.ts';
import { makeNode, makePod } from './testing/objects.ts';

const on = (pod: ReturnType<typeof makePod>, nodeName: string) => ({
  ...pod,
  spec: { ...pod.spec, nodeName },
});

describe('SchedulerCache', () => {
  it('counts an assumed pod once, through its confirmation by the informer', () => {
    const cache = new SchedulerCache();
    cache.addNode(makeNode('node-1'));
    const pod = makePod('web', { cpu: '500m', memory: '1Gi' });
    cache.assumePod(on(pod, 'node-1'));
    const [info] = cache.nodeInfos();
    expect(info!.requested).toEqual({ cpu: 500, memory: 2 ** 30 });
    expect(cache.isAssumed(pod)).toBe(true);
    cache.addPod(on(pod, 'node-1'));
    expect(cache.isAssumed(pod)).toBe(false);
    expect(info!.pods).toHaveLength(1);
    expect(info!.requested).toEqual({ cpu: 500, memory: 2 ** 30 });
    cache.removePod(pod);
    expect(info!.pods).toHaveLength(0);
    expect(info!.requested).toEqual({ cpu: 0, memory: 0 });
  });

  it('frees the node when a binding fails, and never forgets a bound pod', () => {
    const cache = new SchedulerCache();
    cache.addNode(makeNode('node-1'));
    const a = makePod('a', { cpu: '1' });
    const b = makePod('b', { cpu: '1' });
    cache.assumePod(on(a, 'node-1'));
    cache.addPod(on(b, 'node-1'));
    cache.forgetPod(a);
    cache.forgetPod(b);
    expect(cache.nodeInfos()[0]!.pods.map((p) => p.metadata.name)).toEqual(['b']);
  });

  it('moves a pod when an update shows it elsewhere, and frees its host ports', () => {
    const cache = new SchedulerCache();
    cache.addNode(makeNode('node-1'));
    cache.addNode(makeNode('node-2'));
    const pod = makePod('p', {}, {
      containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080 }] }],
    } as never);
    cache.assumePod(on(pod, 'node-1'));
    cache.updatePod(on(pod, 'node-2'));
    const [one, two] = cache.nodeInfos();
    expect(one!.usedPorts).toEqual([]);
    expect(two!.usedPorts).toEqual([{ ip: '0.0.0.0', protocol: 'TCP', port: 8080 }]);
  });

  it('keeps the pods of a node whose object goes and comes back, and lists nodes by name', () => {
    const cache = new SchedulerCache();
    cache.addNode(makeNode('node-b'));
    cache.addNode(makeNode('node-a'));
    cache.addPod(on(makePod('p', { cpu: '250m' }), 'node-b'));
    cache.removeNode(makeNode('node-b'));
    expect(cache.nodeInfos().map((i) => i.name)).toEqual(['node-a']);
    cache.addNode(makeNode('node-b', { labels: { zone: 'x' } }));
    const infos = cache.nodeInfos();
    expect(infos.map((i) => i.name)).toEqual(['node-a', 'node-b']);
    expect(infos[1]!.requested).toEqual({ cpu: 250 });
    expect(infos[1]!.node.metadata.labels).toEqual({ zone: 'x' });
  });
});
