import { describe, expect, it } from 'vitest';
import { Node } from '../../../api/core/node.ts';
import { nodeConvertor } from './node.ts';

const now = new Date('2024-05-01T12:00:00Z');

/** A node registered three days before `now`, as the lab's kubelet reports one. */
function node(
  name: string,
  changes: { labels?: Record<string, string>; unschedulable?: boolean; ready?: string | null },
): Node {
  const ready = changes.ready === undefined ? 'True' : changes.ready;
  return Node.parse({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      creationTimestamp: '2024-04-28T11:00:00Z',
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...changes.labels },
    },
    spec: changes.unschedulable ? { unschedulable: true } : {},
    status: {
      conditions: [
        { type: 'MemoryPressure', status: 'False' },
        { type: 'DiskPressure', status: 'False' },
        { type: 'PIDPressure', status: 'False' },
        ...(ready === null ? [] : [{ type: 'Ready', status: ready }]),
      ],
      addresses: [
        { type: 'InternalIP', address: '172.18.0.3' },
        { type: 'Hostname', address: name },
      ],
      nodeInfo: {
        kubeletVersion: 'v1.32.4',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        kernelVersion: '6.8.0-45-generic',
        containerRuntimeVersion: 'containerd://1.7.24',
        machineID: '',
        systemUUID: '',
        bootID: '',
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  });
}

describe('node printer', () => {
  it('prints a ready control-plane node with its wide columns', () => {
    const controlPlane = node('lab-control-plane', {
      labels: { 'node-role.kubernetes.io/control-plane': '' },
    });
    expect(nodeConvertor.cells(controlPlane, now)).toEqual([
      'lab-control-plane',
      'Ready',
      'control-plane',
      '3d1h',
      'v1.32.4',
      '172.18.0.3',
      '<none>',
      'Debian GNU/Linux 12 (bookworm)',
      '6.8.0-45-generic',
      'containerd://1.7.24',
    ]);
  });

  it('prints a worker without roles as <none>', () => {
    expect(nodeConvertor.cells(node('node-1', {}), now).slice(0, 3)).toEqual(['node-1', 'Ready', '<none>']);
  });

  it('prints a cordoned node as Ready,SchedulingDisabled', () => {
    expect(nodeConvertor.cells(node('node-1', { unschedulable: true }), now)[1]).toBe(
      'Ready,SchedulingDisabled',
    );
  });

  it('prints NotReady when the kubelet stopped reporting (Ready Unknown) or reports not ready', () => {
    expect(nodeConvertor.cells(node('node-1', { ready: 'Unknown' }), now)[1]).toBe('NotReady');
    expect(nodeConvertor.cells(node('node-1', { ready: 'False', unschedulable: true }), now)[1]).toBe(
      'NotReady,SchedulingDisabled',
    );
  });

  it('prints Unknown for a node with no Ready condition yet', () => {
    expect(nodeConvertor.cells(node('node-1', { ready: null }), now)[1]).toBe('Unknown');
  });

  it('sorts roles from both role labels and drops duplicates', () => {
    const labels = {
      'node-role.kubernetes.io/worker': '',
      'node-role.kubernetes.io/ingress': '',
      'kubernetes.io/role': 'worker',
      'node-role.kubernetes.io/': '',
    };
    expect(nodeConvertor.cells(node('node-1', { labels }), now)[2]).toBe('ingress,worker');
  });

  it('prints <unknown> for node info the kubelet has not reported', () => {
    const bare = Node.parse({ metadata: { name: 'new', creationTimestamp: '2024-05-01T11:59:58Z' } });
    expect(nodeConvertor.cells(bare, now)).toEqual([
      'new',
      'Unknown',
      '<none>',
      '2s',
      '',
      '<none>',
      '<none>',
      '<unknown>',
      '<unknown>',
      '<unknown>',
    ]);
  });
});
