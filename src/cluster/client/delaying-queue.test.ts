import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/fake-clock.ts';
import { DelayingQueue } from './delaying-queue.ts';

/** The keys queued right now, taking each (and finishing it) in order. */
async function drain(queue: DelayingQueue): Promise<string[]> {
  const keys: string[] = [];
  while (queue.len() > 0) {
    const key = (await queue.get())!;
    keys.push(key);
    queue.done(key);
  }
  return keys;
}

describe('DelayingQueue', () => {
  it('adds a key once its delay has passed', async () => {
    const clock = new FakeClock();
    const queue = new DelayingQueue({ clock });
    queue.addAfter('a', 50);
    clock.step(49);
    expect(queue.len()).toBe(0);
    clock.step(1);
    expect(await drain(queue)).toEqual(['a']);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('adds at once when the delay is not positive', async () => {
    const queue = new DelayingQueue({ clock: new FakeClock() });
    queue.addAfter('now', 0);
    queue.addAfter('past', -5);
    expect(await drain(queue)).toEqual(['now', 'past']);
  });

  it('releases keys in order of readiness, ties in the order they were added', async () => {
    const clock = new FakeClock();
    const queue = new DelayingQueue({ clock });
    queue.addAfter('late', 30);
    queue.addAfter('early', 10);
    queue.addAfter('tie-1', 20);
    queue.addAfter('tie-2', 20);
    clock.step(30);
    expect(await drain(queue)).toEqual(['early', 'tie-1', 'tie-2', 'late']);
  });

  it('keeps the earlier time when a waiting key is added again', async () => {
    const clock = new FakeClock();
    const queue = new DelayingQueue({ clock });
    queue.addAfter('a', 100);
    queue.addAfter('a', 10);
    queue.addAfter('a', 500);
    clock.step(10);
    expect(await drain(queue)).toEqual(['a']);
    clock.step(1000);
    expect(queue.len()).toBe(0);
  });

  it('merges a delayed key with the same key queued meanwhile', async () => {
    const clock = new FakeClock();
    const queue = new DelayingQueue({ clock });
    queue.addAfter('a', 10);
    queue.add('a');
    clock.step(10);
    expect(await drain(queue)).toEqual(['a']);
  });

  it('drops waiting keys and its timer on shutDown', async () => {
    const clock = new FakeClock();
    const queue = new DelayingQueue({ clock });
    queue.addAfter('a', 10);
    queue.shutDown();
    expect(clock.pendingTimers()).toBe(0);
    queue.addAfter('b', 10);
    clock.step(100);
    expect(await queue.get()).toBeUndefined();
  });
});
