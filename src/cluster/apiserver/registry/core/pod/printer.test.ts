import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { Pod } from '../../../../api/core/pod.ts';
import { podConvertor } from './printer.ts';

const now = new Date('2024-05-01T12:00:00Z');

/** The metadata of a pod created ten minutes before `now`. */
const meta = (name: string) => ({
  name,
  namespace: 'default',
  uid: '6c1f7a8e-2b1d-4c37-9a41-0d7e3c0f5b21',
  resourceVersion: '4242',
  creationTimestamp: '2024-05-01T11:50:00Z',
  labels: { app: name },
});

const spec = { nodeName: 'node-1', containers: [{ name: 'app', image: 'nginx:1.25' }] };

const running = { running: { startedAt: '2024-05-01T11:50:05Z' } };

const conditions = (ready: 'True' | 'False') => [
  { type: 'PodReadyToStartContainers', status: 'True' },
  { type: 'Initialized', status: 'True' },
  { type: 'Ready', status: ready },
  { type: 'ContainersReady', status: ready },
  { type: 'PodScheduled', status: 'True' },
];

/** A pod as a test writes it: what the kubelet would send, parsed as the API server stores it. */
type PodInput = z.input<typeof Pod>;

/** The image fields every container status carries, which the printer never reads. */
const image = { image: 'nginx:1.25', imageID: '' };

const cells = (pod: PodInput) => podConvertor.cells(Pod.parse(pod), now);

/** The five columns `kubectl get pods` shows: NAME READY STATUS RESTARTS AGE. */
const shown = (pod: PodInput) => cells(pod).slice(0, 5);

describe('pod printer', () => {
  it('declares the columns of kube-apiserver v1.32, wide ones last', () => {
    expect(podConvertor.columns.map((c) => [c.name, c.type, c.priority])).toEqual([
      ['Name', 'string', 0],
      ['Ready', 'string', 0],
      ['Status', 'string', 0],
      ['Restarts', 'string', 0],
      ['Age', 'string', 0],
      ['IP', 'string', 1],
      ['Node', 'string', 1],
      ['Nominated Node', 'string', 1],
      ['Readiness Gates', 'string', 1],
    ]);
    expect(podConvertor.columns[0]?.format).toBe('name');
  });

  it('prints a running pod with its wide columns', () => {
    const pod: PodInput = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta('web'),
      spec,
      status: {
        phase: 'Running',
        conditions: conditions('True'),
        podIPs: [{ ip: '10.244.1.5' }],
        containerStatuses: [
          { name: 'app', ready: true, started: true, restartCount: 0, ...image, state: running },
        ],
      },
    };
    expect(cells(pod)).toEqual([
      'web',
      '1/1',
      'Running',
      '0',
      '10m',
      '10.244.1.5',
      'node-1',
      '<none>',
      '<none>',
    ]);
    expect(podConvertor.conditions?.(Pod.parse(pod))).toEqual([]);
  });

  it('prints a pod the scheduler could not place yet', () => {
    const pod: PodInput = {
      metadata: meta('big'),
      spec: { containers: spec.containers },
      status: {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }],
      },
    };
    expect(cells(pod)).toEqual(['big', '0/1', 'Pending', '0', '10m', '<none>', '<none>', '<none>', '<none>']);
  });

  it('prints SchedulingGated while a scheduling gate holds the pod', () => {
    const pod: PodInput = {
      metadata: meta('gated'),
      spec: { containers: spec.containers },
      status: {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }],
      },
    };
    expect(shown(pod)).toEqual(['gated', '0/1', 'SchedulingGated', '0', '10m']);
  });

  it.each([['ContainerCreating'], ['ErrImagePull'], ['ImagePullBackOff'], ['CreateContainerConfigError']])(
    'prints the waiting reason %s',
    (reason) => {
      const pod: PodInput = {
        metadata: meta('web'),
        spec,
        status: {
          phase: 'Pending',
          conditions: conditions('False'),
          containerStatuses: [
            {
              name: 'app',
              ready: false,
              started: false,
              restartCount: 0,
              ...image,
              state: { waiting: { reason } },
            },
          ],
        },
      };
      expect(shown(pod)).toEqual(['web', '0/1', reason, '0', '10m']);
    },
  );

  it('prints CrashLoopBackOff with the restarts and how long ago the last one was', () => {
    const pod: PodInput = {
      metadata: meta('crashy'),
      spec,
      status: {
        phase: 'Running',
        conditions: conditions('False'),
        containerStatuses: [
          {
            name: 'app',
            ready: false,
            started: false,
            restartCount: 3,
            ...image,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: {
              terminated: { exitCode: 1, reason: 'Error', finishedAt: '2024-05-01T11:59:48Z' },
            },
          },
        ],
      },
    };
    expect(shown(pod)).toEqual(['crashy', '0/1', 'CrashLoopBackOff', '3 (12s ago)', '10m']);
  });

  it('prints restarts without a time when the last termination time is unknown', () => {
    const pod: PodInput = {
      metadata: meta('web'),
      spec,
      status: {
        phase: 'Running',
        conditions: conditions('True'),
        containerStatuses: [{ name: 'app', ready: true, restartCount: 2, ...image, state: running }],
      },
    };
    expect(shown(pod)).toEqual(['web', '1/1', 'Running', '2', '10m']);
  });

  it('prints Completed for a pod that ran to the end, and marks its row Completed', () => {
    const pod: PodInput = {
      metadata: meta('job-x7k2p'),
      spec,
      status: {
        phase: 'Succeeded',
        conditions: conditions('False'),
        containerStatuses: [
          {
            name: 'app',
            ready: false,
            restartCount: 0,
            ...image,
            state: { terminated: { exitCode: 0, reason: 'Completed', finishedAt: '2024-05-01T11:55:00Z' } },
          },
        ],
      },
    };
    expect(shown(pod)).toEqual(['job-x7k2p', '0/1', 'Completed', '0', '10m']);
    expect(podConvertor.conditions?.(Pod.parse(pod))).toEqual([
      {
        type: 'Completed',
        status: 'True',
        reason: 'Succeeded',
        message: 'The pod has completed successfully.',
      },
    ]);
  });

  it.each([
    [{ exitCode: 1, reason: 'Error' }, 'Error'],
    [{ exitCode: 137, reason: 'OOMKilled' }, 'OOMKilled'],
    [{ exitCode: 137 }, 'ExitCode:137'],
    [{ exitCode: 0, signal: 9 }, 'Signal:9'],
  ])('prints a failed container %j as %s', (terminated, status) => {
    const pod: PodInput = {
      metadata: meta('web'),
      spec,
      status: {
        phase: 'Failed',
        containerStatuses: [{ name: 'app', ready: false, restartCount: 0, ...image, state: { terminated } }],
      },
    };
    expect(shown(pod)).toEqual(['web', '0/1', status, '0', '10m']);
    expect(podConvertor.conditions?.(Pod.parse(pod))).toEqual([
      { type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' },
    ]);
  });

  it('prints the reason the kubelet gave a pod it evicted', () => {
    const pod: PodInput = {
      metadata: meta('web'),
      spec,
      status: { phase: 'Failed', reason: 'Evicted' },
    };
    expect(shown(pod)).toEqual(['web', '0/1', 'Evicted', '0', '10m']);
  });

  it('prints Terminating for a pod being deleted', () => {
    const pod: PodInput = {
      metadata: { ...meta('web'), deletionTimestamp: '2024-05-01T11:59:30Z' },
      spec,
      status: {
        phase: 'Running',
        conditions: conditions('True'),
        containerStatuses: [{ name: 'app', ready: true, restartCount: 0, ...image, state: running }],
      },
    };
    expect(shown(pod)).toEqual(['web', '1/1', 'Terminating', '0', '10m']);
  });

  it('keeps Completed for a finished pod being deleted', () => {
    const pod: PodInput = {
      metadata: { ...meta('web'), deletionTimestamp: '2024-05-01T11:59:30Z' },
      spec,
      status: {
        phase: 'Succeeded',
        containerStatuses: [
          {
            name: 'app',
            ready: false,
            restartCount: 0,
            ...image,
            state: { terminated: { exitCode: 0, reason: 'Completed' } },
          },
        ],
      },
    };
    expect(shown(pod)).toEqual(['web', '0/1', 'Completed', '0', '10m']);
  });

  it('prints Unknown for a pod being deleted from a lost node', () => {
    const pod: PodInput = {
      metadata: { ...meta('web'), deletionTimestamp: '2024-05-01T11:59:30Z' },
      spec,
      status: {
        phase: 'Running',
        reason: 'NodeLost',
        containerStatuses: [{ name: 'app', ready: true, restartCount: 0, ...image, state: running }],
      },
    };
    expect(shown(pod)).toEqual(['web', '1/1', 'Unknown', '0', '10m']);
  });

  describe('init containers', () => {
    const initSpec = {
      nodeName: 'node-1',
      initContainers: [
        { name: 'migrate', image: 'migrate:1' },
        { name: 'warm-cache', image: 'warm:1' },
      ],
      containers: spec.containers,
    };
    const appWaiting = {
      name: 'app',
      ready: false,
      restartCount: 0,
      ...image,
      state: { waiting: { reason: 'PodInitializing' } },
    };
    const initialized = (status: 'True' | 'False') => [
      { type: 'Initialized', status, reason: status === 'False' ? 'ContainersNotInitialized' : undefined },
      { type: 'Ready', status: 'False' },
      { type: 'PodScheduled', status: 'True' },
    ];

    it('prints Init:N/M while init containers run in turn', () => {
      const pod: PodInput = {
        metadata: meta('web'),
        spec: initSpec,
        status: {
          phase: 'Pending',
          conditions: initialized('False'),
          initContainerStatuses: [
            {
              name: 'migrate',
              ready: true,
              restartCount: 0,
              ...image,
              state: { terminated: { exitCode: 0, reason: 'Completed' } },
            },
            { name: 'warm-cache', ready: false, restartCount: 0, ...image, state: running },
          ],
          containerStatuses: [appWaiting],
        },
      };
      expect(shown(pod)).toEqual(['web', '0/1', 'Init:1/2', '0', '10m']);
    });

    it('prints Init:0/M before the first init container starts', () => {
      const pod: PodInput = {
        metadata: meta('web'),
        spec: initSpec,
        status: {
          phase: 'Pending',
          conditions: initialized('False'),
          initContainerStatuses: [
            {
              name: 'migrate',
              ready: false,
              restartCount: 0,
              ...image,
              state: { waiting: { reason: 'PodInitializing' } },
            },
            {
              name: 'warm-cache',
              ready: false,
              restartCount: 0,
              ...image,
              state: { waiting: { reason: 'PodInitializing' } },
            },
          ],
          containerStatuses: [appWaiting],
        },
      };
      expect(shown(pod)).toEqual(['web', '0/1', 'Init:0/2', '0', '10m']);
    });

    it('prints Init:Error when an init container failed', () => {
      const pod: PodInput = {
        metadata: meta('web'),
        spec: initSpec,
        status: {
          phase: 'Pending',
          conditions: initialized('False'),
          initContainerStatuses: [
            {
              name: 'migrate',
              ready: false,
              restartCount: 0,
              ...image,
              state: { terminated: { exitCode: 2, reason: 'Error' } },
            },
            {
              name: 'warm-cache',
              ready: false,
              restartCount: 0,
              ...image,
              state: { waiting: { reason: 'PodInitializing' } },
            },
          ],
          containerStatuses: [appWaiting],
        },
      };
      expect(shown(pod)).toEqual(['web', '0/1', 'Init:Error', '0', '10m']);
    });

    it('prints Init:ExitCode:N for an init container that failed without a reason', () => {
      const pod: PodInput = {
        metadata: meta('web'),
        spec: initSpec,
        status: {
          phase: 'Pending',
          initContainerStatuses: [
            {
              name: 'migrate',
              ready: false,
              restartCount: 0,
              ...image,
              state: { terminated: { exitCode: 3 } },
            },
          ],
        },
      };
      expect(shown(pod)).toEqual(['web', '0/1', 'Init:ExitCode:3', '0', '10m']);
    });

    it('prints Init:CrashLoopBackOff and counts the init container restarts', () => {
      const pod: PodInput = {
        metadata: meta('web'),
        spec: initSpec,
        status: {
          phase: 'Pending',
          conditions: initialized('False'),
          initContainerStatuses: [
            {
              name: 'migrate',
              ready: false,
              restartCount: 2,
              ...image,
              state: { waiting: { reason: 'CrashLoopBackOff' } },
              lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2024-05-01T11:59:30Z' } },
            },
            {
              name: 'warm-cache',
              ready: false,
              restartCount: 0,
              ...image,
              state: { waiting: { reason: 'PodInitializing' } },
            },
          ],
          containerStatuses: [appWaiting],
        },
      };
      expect(shown(pod)).toEqual(['web', '0/1', 'Init:CrashLoopBackOff', '2 (30s ago)', '10m']);
    });

    it('prints PodInitializing once init is done and the app container is starting', () => {
      const pod: PodInput = {
        metadata: meta('web'),
        spec: initSpec,
        status: {
          phase: 'Pending',
          conditions: initialized('True'),
          initContainerStatuses: [
            {
              name: 'migrate',
              ready: true,
              restartCount: 0,
              ...image,
              state: { terminated: { exitCode: 0, reason: 'Completed' } },
            },
            {
              name: 'warm-cache',
              ready: true,
              restartCount: 0,
              ...image,
              state: { terminated: { exitCode: 0, reason: 'Completed' } },
            },
          ],
          containerStatuses: [appWaiting],
        },
      };
      expect(shown(pod)).toEqual(['web', '0/1', 'PodInitializing', '0', '10m']);
    });

    it('forgets init container restarts once the pod is initialized', () => {
      const pod: PodInput = {
        metadata: meta('web'),
        spec: initSpec,
        status: {
          phase: 'Running',
          conditions: conditions('True'),
          initContainerStatuses: [
            {
              name: 'migrate',
              ready: true,
              restartCount: 2,
              ...image,
              state: { terminated: { exitCode: 0, reason: 'Completed' } },
              lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2024-05-01T11:51:00Z' } },
            },
            {
              name: 'warm-cache',
              ready: true,
              restartCount: 0,
              ...image,
              state: { terminated: { exitCode: 0, reason: 'Completed' } },
            },
          ],
          containerStatuses: [
            {
              name: 'app',
              ready: true,
              restartCount: 4,
              ...image,
              state: running,
              lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2024-05-01T11:59:40Z' } },
            },
          ],
        },
      };
      expect(shown(pod)).toEqual(['web', '1/1', 'Running', '4 (20s ago)', '10m']);
    });

    it('counts a started sidecar as a ready container and keeps its restarts', () => {
      const pod: PodInput = {
        metadata: meta('web'),
        spec: {
          nodeName: 'node-1',
          initContainers: [{ name: 'log-shipper', image: 'fluent-bit:3', restartPolicy: 'Always' }],
          containers: spec.containers,
        },
        status: {
          phase: 'Running',
          conditions: conditions('True'),
          initContainerStatuses: [
            {
              name: 'log-shipper',
              ready: true,
              started: true,
              restartCount: 1,
              ...image,
              state: running,
              lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2024-05-01T11:58:00Z' } },
            },
          ],
          containerStatuses: [
            { name: 'app', ready: true, started: true, restartCount: 0, ...image, state: running },
          ],
        },
      };
      expect(shown(pod)).toEqual(['web', '2/2', 'Running', '1 (2m ago)', '10m']);
    });

    it('waits on a sidecar that has not started yet', () => {
      const pod: PodInput = {
        metadata: meta('web'),
        spec: {
          initContainers: [{ name: 'log-shipper', image: 'fluent-bit:3', restartPolicy: 'Always' }],
          containers: spec.containers,
        },
        status: {
          phase: 'Pending',
          initContainerStatuses: [
            { name: 'log-shipper', ready: false, started: false, restartCount: 0, ...image, state: running },
          ],
          containerStatuses: [appWaiting],
        },
      };
      expect(shown(pod)).toEqual(['web', '0/2', 'Init:0/1', '0', '10m']);
    });
  });

  describe('pods whose containers finish at different times', () => {
    const twoContainers = {
      containers: [
        { name: 'app', image: 'nginx:1.25' },
        { name: 'setup', image: 'busybox:1.36' },
      ],
    };
    const statuses = [
      { name: 'app', ready: true, restartCount: 0, ...image, state: running },
      {
        name: 'setup',
        ready: false,
        restartCount: 0,
        ...image,
        state: { terminated: { exitCode: 0, reason: 'Completed' } },
      },
    ];

    it('prints Running, not Completed, while another container still runs and the pod is ready', () => {
      const pod: PodInput = {
        metadata: meta('web'),
        spec: twoContainers,
        status: { phase: 'Running', conditions: conditions('True'), containerStatuses: statuses },
      };
      expect(shown(pod)).toEqual(['web', '1/2', 'Running', '0', '10m']);
    });

    it('prints NotReady when that pod is not ready', () => {
      const pod: PodInput = {
        metadata: meta('web'),
        spec: twoContainers,
        status: { phase: 'Running', conditions: conditions('False'), containerStatuses: statuses },
      };
      expect(shown(pod)).toEqual(['web', '1/2', 'NotReady', '0', '10m']);
    });

    it('lets the first container with a reason decide STATUS', () => {
      const pod: PodInput = {
        metadata: meta('web'),
        spec: twoContainers,
        status: {
          phase: 'Running',
          conditions: conditions('False'),
          containerStatuses: [
            {
              name: 'app',
              ready: false,
              restartCount: 5,
              ...image,
              state: { waiting: { reason: 'CrashLoopBackOff' } },
            },
            { name: 'setup', ready: true, restartCount: 0, ...image, state: running },
          ],
        },
      };
      expect(shown(pod)).toEqual(['web', '1/2', 'CrashLoopBackOff', '5', '10m']);
    });
  });

  it('prints readiness gates as met/total and the nominated node', () => {
    const pod: PodInput = {
      metadata: meta('web'),
      spec: {
        ...spec,
        readinessGates: [
          { conditionType: 'example.com/lb-ready' },
          { conditionType: 'example.com/dns-ready' },
        ],
      },
      status: {
        phase: 'Running',
        nominatedNodeName: 'node-2',
        podIPs: [{ ip: '10.244.1.5' }, { ip: 'fd00:10:244:1::5' }],
        conditions: [...conditions('False'), { type: 'example.com/lb-ready', status: 'True' }],
        containerStatuses: [{ name: 'app', ready: true, restartCount: 0, ...image, state: running }],
      },
    };
    expect(cells(pod).slice(5)).toEqual(['10.244.1.5', 'node-1', 'node-2', '1/2']);
  });

  it('prints <unknown> for a pod without a creation time', () => {
    expect(cells({ metadata: { name: 'bare' }, spec: { containers: [] } })).toEqual([
      'bare',
      '0/0',
      '',
      '0',
      '<unknown>',
      '<none>',
      '<none>',
      '<none>',
      '<none>',
    ]);
  });
});
