import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../clock/fake-clock.ts';
import { makePod } from '../testing/objects.ts';
import { SchedulingQueue } from './scheduling-queue.ts';

describe('SchedulingQueue', () => {
  it('pops by priority, then age', async () => {
    const clock = new FakeClock(1000);
    const q = new SchedulingQueue({ clock });
    q.add(makePod('old'));
    clock.step(1);
    q.add(makePod('urgent', {}, { priority: 10 }));
    q.add(makePod('new'));
    const names = [];
    for (let i = 0; i < 3; i++) names.push((await q.pop())?.info.pod.metadata.name);
    expect(names).toEqual(['urgent', 'old', 'new']);
  });

  it('keeps an unschedulable pod until a cluster event, then backs it off', async () => {
    const clock = new FakeClock(0);
    const q = new SchedulingQueue({ clock });
    q.add(makePod('p'));
    const first = (await q.pop())!;
    q.addUnschedulableIfNotPresent(first.info, first.cycle);
    expect(q.pendingPods().unschedulable).toEqual(['default/p']);
    clock.step(500);
    q.moveAllToActiveOrBackoffQueue('NodeUpdate');
    expect(q.pendingPods().backoff).toEqual(['default/p']); // 1 s backoff from the failure not over
    clock.step(500);
    expect(q.pendingPods().active).toEqual(['default/p']);
    const second = (await q.pop())!;
    expect(second.info.attempts).toBe(2);
    q.addUnschedulableIfNotPresent(second.info, second.cycle);
    q.moveAllToActiveOrBackoffQueue('NodeAdd');
    expect(clock.pendingTimers()).toBeGreaterThan(0);
    clock.step(1999);
    expect(q.pendingPods().backoff).toEqual(['default/p']); // second failure: 2 s
    clock.step(1);
    expect(q.pendingPods().active).toEqual(['default/p']);
  });

  it('sends a pod whose cycle overlapped a cluster event to backoff, not unschedulable', async () => {
    const clock = new FakeClock(0);
    const q = new SchedulingQueue({ clock });
    q.add(makePod('p'));
    const popped = (await q.pop())!;
    q.moveAllToActiveOrBackoffQueue('NodeAdd'); // while p was being scheduled
    q.addUnschedulableIfNotPresent(popped.info, popped.cycle);
    expect(q.pendingPods().backoff).toEqual(['default/p']);
  });

  it('moves an unschedulable pod on a spec change but not on its own status or annotations', async () => {
    const clock = new FakeClock(0);
    const q = new SchedulingQueue({ clock });
    const pod = makePod('p', {}, { nodeSelector: { disk: 'ssd' } });
    q.add(pod);
    const popped = (await q.pop())!;
    q.addUnschedulableIfNotPresent(popped.info, popped.cycle);
    const annotated = { ...pod, metadata: { ...pod.metadata, annotations: { a: 'b' } } };
    q.update(pod, annotated);
    expect(q.pendingPods().unschedulable).toEqual(['default/p']);
    clock.step(5000);
    q.update(annotated, { ...annotated, spec: { ...annotated.spec, nodeSelector: {} } });
    expect(q.pendingPods().active).toEqual(['default/p']);
  });

  it('retries a forgotten pod after five minutes, and close() releases pop()', async () => {
    const clock = new FakeClock(0);
    const q = new SchedulingQueue({ clock });
    q.add(makePod('p'));
    const popped = (await q.pop())!;
    q.addUnschedulableIfNotPresent(popped.info, popped.cycle);
    clock.step(5 * 60_000);
    expect(q.pendingPods().active).toEqual(['default/p']);
    q.delete(makePod('p'));
    const waiting = q.pop();
    q.close();
    expect(await waiting).toBeUndefined();
  });
});
