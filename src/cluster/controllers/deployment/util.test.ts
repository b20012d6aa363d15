import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../api/apps/deployment.ts';
import type { ReplicaSet } from '../../api/apps/replica-set.ts';
import {
  deploymentTimedOut,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  setNewReplicaSetAnnotations,
} from './util.ts';

const deployment = (
  replicas: number,
  maxSurge: number | string,
  maxUnavailable: number | string,
  extra = {},
) =>
  ({
    metadata: {
      name: 'web',
      annotations: { 'kubernetes.io/change-cause': 'v2', 'deployment.kubernetes.io/revision': '1' },
    },
    spec: {
      replicas,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } },
      progressDeadlineSeconds: 600,
      ...extra,
    },
    status: {},
  }) as unknown as Deployment;
const rs = (replicas: number, annotations: Record<string, string> = {}) =>
  ({ metadata: { annotations }, spec: { replicas }, status: { replicas } }) as unknown as ReplicaSet;

describe('rolling update bounds', () => {
  it('rounds maxSurge up and maxUnavailable down, and never lets both be zero', () => {
    expect([maxSurge(deployment(10, '25%', '25%')), maxUnavailable(deployment(10, '25%', '25%'))]).toEqual([
      3, 2,
    ]);
    expect([maxSurge(deployment(3, '25%', '25%')), maxUnavailable(deployment(3, '25%', '25%'))]).toEqual([
      1, 0,
    ]);
    expect(maxUnavailable(deployment(3, 0, 0))).toBe(1);
    expect(maxUnavailable(deployment(2, 0, 5))).toBe(2);
  });

  it('grows the new set only up to replicas + maxSurge pods in all', () => {
    const d = deployment(4, 1, 0);
    const old = rs(4);
    expect(newRSNewReplicas(d, [old, rs(0)], rs(0))).toBe(1);
    expect(newRSNewReplicas(d, [rs(3), rs(1)], rs(1))).toBe(2);
    expect(newRSNewReplicas(d, [rs(4), rs(1)], rs(1))).toBe(1);
    expect(newRSNewReplicas(deployment(4, 10, 0), [rs(0), rs(0)], rs(0))).toBe(4);
  });
});

describe('setNewReplicaSetAnnotations', () => {
  it('copies change-cause, raises the revision, keeps the old one in revision-history', () => {
    const d = deployment(3, 1, 0);
    const reused = rs(0, { 'deployment.kubernetes.io/revision': '1' });
    expect(setNewReplicaSetAnnotations(d, reused, 3, true)).toBe(true);
    expect(reused.metadata.annotations).toEqual({
      'kubernetes.io/change-cause': 'v2',
      'deployment.kubernetes.io/revision': '3',
      'deployment.kubernetes.io/revision-history': '1',
    });
    const fresh = rs(0);
    setNewReplicaSetAnnotations(d, fresh, 1, false);
    expect(fresh.metadata.annotations).toMatchObject({
      'deployment.kubernetes.io/desired-replicas': '3',
      'deployment.kubernetes.io/max-replicas': '4',
    });
    expect(setNewReplicaSetAnnotations(d, fresh, 1, true)).toBe(false);
  });
});

describe('deploymentTimedOut', () => {
  it('counts progressDeadlineSeconds from the Progressing condition last update', () => {
    const d = deployment(3, 1, 0, { progressDeadlineSeconds: 10 });
    const status = {
      conditions: [
        {
          type: 'Progressing',
          status: 'True',
          reason: 'ReplicaSetUpdated',
          lastUpdateTime: '2025-01-01T00:00:00Z',
        },
      ],
    };
    const start = Date.parse('2025-01-01T00:00:00Z');
    expect(deploymentTimedOut(d, status, start + 9_000)).toBe(false);
    expect(deploymentTimedOut(d, status, start + 11_000)).toBe(true);
    status.conditions[0]!.reason = 'NewReplicaSetAvailable';
    expect(deploymentTimedOut(d, status, start + 11_000)).toBe(false);
  });
});
