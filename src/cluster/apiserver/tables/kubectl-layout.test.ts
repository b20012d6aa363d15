import { describe, expect, it } from 'vitest';
import { Node } from '../../api/core/node.ts';
import { Pod } from '../../api/core/pod.ts';
import { Service } from '../../api/core/service.ts';
import { nodeConvertor } from '../registry/core/node.ts';
import { podConvertor } from '../registry/core/pod/printer.ts';
import { serviceConvertor } from '../registry/core/service/printer.ts';
import { type Table, toTable } from './types.ts';

/*
 * These tests lay Tables out as text the way kubectl's human-readable printer does, so the
 * expected output below can be checked by eye against a real `kubectl get`. kubectl upper-cases
 * the column names, keeps priority 1 columns only for -o wide, cuts a cell at its first line
 * break (adding "..."), and aligns with Go's tabwriter: each column as wide as its widest cell
 * plus 3 spaces, never under 6, and the last column left unpadded.
 */

const MIN_WIDTH = 6;
const PADDING = 3;

function cellText(cell: unknown): string {
  const text = String(cell);
  const lineBreak = text.search(/[\n\r\f]/);
  return lineBreak < 0 ? text : `${text.slice(0, lineBreak)}...`;
}

function render(table: Table, wide = false): string {
  const keep = table.columnDefinitions.map((c) => wide || c.priority === 0);
  const lines = [
    table.columnDefinitions.filter((_, i) => keep[i]).map((c) => c.name.toUpperCase()),
    ...table.rows.map((row) => row.cells.filter((_, i) => keep[i]).map(cellText)),
  ];
  const widths = lines[0]!.map((_, col) =>
    Math.max(MIN_WIDTH, ...lines.map((line) => (line[col] ?? '').length + PADDING)),
  );
  return lines
    .map((line) =>
      line.map((text, col) => (col === line.length - 1 ? text : text.padEnd(widths[col]!))).join(''),
    )
    .join('\n');
}

const now = new Date('2024-05-01T12:00:00Z');
const running = { running: { startedAt: '2024-05-01T11:50:05Z' } };
/** The image fields every container status carries, which the printer never reads. */
const image = { image: 'nginx:1.25', imageID: '' };

describe('Tables as kubectl prints them', () => {
  it('kubectl get pods', () => {
    const pods = [
      {
        metadata: {
          name: 'web-7d4b9c8f6d-x2k9p',
          namespace: 'default',
          creationTimestamp: '2024-05-01T11:55:00Z',
        },
        spec: { nodeName: 'node-1', containers: [{ name: 'web' }] },
        status: {
          phase: 'Running',
          podIPs: [{ ip: '10.244.1.5' }],
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [{ name: 'web', ready: true, restartCount: 0, ...image, state: running }],
        },
      },
      {
        metadata: { name: 'crashy', namespace: 'default', creationTimestamp: '2024-05-01T11:50:00Z' },
        spec: { nodeName: 'node-2', containers: [{ name: 'app' }] },
        status: {
          phase: 'Running',
          podIPs: [{ ip: '10.244.2.9' }],
          containerStatuses: [
            {
              name: 'app',
              ready: false,
              restartCount: 3,
              ...image,
              state: { waiting: { reason: 'CrashLoopBackOff' } },
              lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2024-05-01T11:59:48Z' } },
            },
          ],
        },
      },
      {
        metadata: { name: 'big', namespace: 'default', creationTimestamp: '2024-04-29T09:00:00Z' },
        spec: { containers: [{ name: 'app' }] },
        status: { phase: 'Pending' },
      },
    ];
    const table = toTable(
      podConvertor,
      pods.map((pod) => Pod.parse(pod)),
      now,
    );
    expect(render(table)).toBe(
      [
        'NAME                   READY   STATUS             RESTARTS      AGE',
        'web-7d4b9c8f6d-x2k9p   1/1     Running            0             5m',
        'crashy                 0/1     CrashLoopBackOff   3 (12s ago)   10m',
        'big                    0/1     Pending            0             2d3h',
      ].join('\n'),
    );
    expect(render(table, true)).toBe(
      [
        'NAME                   READY   STATUS             RESTARTS      AGE    IP           NODE     NOMINATED NODE   READINESS GATES',
        'web-7d4b9c8f6d-x2k9p   1/1     Running            0             5m     10.244.1.5   node-1   <none>           <none>',
        'crashy                 0/1     CrashLoopBackOff   3 (12s ago)   10m    10.244.2.9   node-2   <none>           <none>',
        'big                    0/1     Pending            0             2d3h   <none>       <none>   <none>           <none>',
      ].join('\n'),
    );
  });

  it('kubectl get nodes', () => {
    const nodeInfo = {
      kubeletVersion: 'v1.32.4',
      kubeProxyVersion: '',
      containerRuntimeVersion: 'containerd://1.7.24',
      kernelVersion: '6.8.0-45-generic',
      osImage: 'Debian GNU/Linux 12 (bookworm)',
      operatingSystem: 'linux',
      architecture: 'amd64',
      machineID: '',
      systemUUID: '',
      bootID: '',
    };
    const node = (name: string, role: string | undefined, unschedulable: boolean) =>
      Node.parse({
        metadata: {
          name,
          creationTimestamp: '2024-05-01T11:40:00Z',
          labels: role ? { [`node-role.kubernetes.io/${role}`]: '' } : {},
        },
        spec: { unschedulable },
        status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo },
      });
    const table = toTable(
      nodeConvertor,
      [node('lab-control-plane', 'control-plane', false), node('node-1', undefined, true)],
      now,
    );
    expect(render(table)).toBe(
      [
        'NAME                STATUS                     ROLES           AGE   VERSION',
        'lab-control-plane   Ready                      control-plane   20m   v1.32.4',
        'node-1              Ready,SchedulingDisabled   <none>          20m   v1.32.4',
      ].join('\n'),
    );
  });

  it('kubectl get services', () => {
    const services = [
      {
        metadata: { name: 'kubernetes', creationTimestamp: '2024-04-28T12:00:00Z' },
        spec: { type: 'ClusterIP', clusterIPs: ['10.96.0.1'], ports: [{ port: 443, protocol: 'TCP' }] },
      },
      {
        metadata: { name: 'shop', creationTimestamp: '2024-05-01T11:59:30Z' },
        spec: {
          type: 'LoadBalancer',
          clusterIPs: ['10.96.40.2'],
          ports: [
            { port: 80, nodePort: 30080, protocol: 'TCP' },
            { port: 443, nodePort: 30443, protocol: 'TCP' },
          ],
        },
      },
    ];
    const parsed = services.map((service) => Service.parse(service));
    expect(render(toTable(serviceConvertor, parsed, now))).toBe(
      [
        'NAME         TYPE           CLUSTER-IP   EXTERNAL-IP   PORT(S)                      AGE',
        'kubernetes   ClusterIP      10.96.0.1    <none>        443/TCP                      3d',
        'shop         LoadBalancer   10.96.40.2   <pending>     80:30080/TCP,443:30443/TCP   30s',
      ].join('\n'),
    );
  });
});
