import { describe, expect, it } from 'vitest';
import type { Pod, PodTemplateSpec } from '../api/core/pod.ts';
import { FakeClock } from '../clock/fake-clock.ts';
import { ControllerExpectations, computeHash, slowStartBatch, sortPodsToDelete } from './controller-utils.ts';

const template = (image: string) =>
  ({
    metadata: { labels: { app: 'web' } },
    spec: { containers: [{ name: 'web', image }] },
  }) as unknown as PodTemplateSpec;

function pod(
  name: string,
  fields: { node?: string; phase?: string; ready?: boolean; created?: string; restarts?: number },
): Pod {
  return {
    metadata: { name, creationTimestamp: fields.created ?? '2025-01-01T00:00:00Z' },
    spec: { nodeName: fields.node, containers: [] },
    status: {
      phase: fields.phase ?? 'Running',
      conditions: [
        {
          type: 'Ready',
          status: fields.ready ? 'True' : 'False',
          lastTransitionTime: '2025-01-01T00:00:00Z',
        },
      ],
      containerStatuses: [{ restartCount: fields.restarts ?? 0 }],
    },
  } as unknown as Pod;
}

describe('computeHash', () => {
  it('reads like a Kubernetes pod-template-hash, follows the template and the collision count', () => {
    const a = computeHash(template('nginx'));
    expect(a).toMatch(/^[4-9bcdf]{6,10}$/);
    expect(computeHash(template('nginx'))).toBe(a);
    expect(computeHash(template('nginx:1.25'))).not.toBe(a);
    expect(computeHash(template('nginx'), 1)).not.toBe(a);
  });
});

describe('sortPodsToDelete', () => {
  it('puts unscheduled, pending, not ready, crowded, restarting and newest pods first', () => {
    const sorted = sortPodsToDelete(
      [
        pod('ready-old', { node: 'n1', ready: true }),
        pod('unscheduled', { phase: 'Pending' }),
        pod('pending', { node: 'n2', phase: 'Pending' }),
        pod('not-ready', { node: 'n2' }),
        pod('ready-new', { node: 'n2', ready: true, created: '2025-01-02T00:00:00Z' }),
        pod('ready-restarts', { node: 'n2', ready: true, restarts: 3 }),
      ],
      [],
    );
    expect(sorted.map((p) => p.metadata.name)).toEqual([
      'unscheduled',
      'pending',
      'not-ready',
      'ready-restarts',
      'ready-new',
      'ready-old',
    ]);
  });
});

describe('slowStartBatch', () => {
  it('calls in batches of 1, 2, 4, ... and stops after the first failing batch', async () => {
    const concurrent: number[] = [];
    let inFlight = 0;
    let calls = 0;
    const result = await slowStartBatch(20, async () => {
      const n = ++calls;
      inFlight++;
      concurrent.push(inFlight);
      await Promise.resolve();
      inFlight--;
      if (n === 5) throw new Error('quota');
    });
    // Batches 1, 2 and 4: the failure in the third ends it, 13 calls are never made.
    expect(concurrent).toEqual([1, 1, 2, 1, 2, 3, 4]);
    expect(result.successes).toBe(6);
    expect((result.error as Error).message).toBe('quota');
  });
});

describe('ControllerExpectations', () => {
  it('is satisfied once every expected creation and deletion was observed, or after five minutes', () => {
    const clock = new FakeClock(0);
    const e = new ControllerExpectations(clock);
    expect(e.satisfiedExpectations('ns/rs')).toBe(true);
    e.expectCreations('ns/rs', 2);
    e.creationObserved('ns/rs');
    expect(e.satisfiedExpectations('ns/rs')).toBe(false);
    e.creationObserved('ns/rs');
    expect(e.satisfiedExpectations('ns/rs')).toBe(true);
    e.expectDeletions('ns/rs', ['ns/a']);
    e.deletionObserved('ns/rs', 'ns/a');
    e.deletionObserved('ns/rs', 'ns/a');
    expect(e.satisfiedExpectations('ns/rs')).toBe(true);
    e.expectCreations('ns/rs', 1);
    clock.step(5 * 60_000 + 1);
    expect(e.satisfiedExpectations('ns/rs')).toBe(true);
  });
});
