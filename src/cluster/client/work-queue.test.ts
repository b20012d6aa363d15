import { describe, expect, it } from 'vitest';
import { WorkQueue } from './work-queue.ts';

/** Whether a promise has settled, after letting pending microtasks run. */
async function settled<T>(promise: Promise<T>): Promise<{ value: T } | undefined> {
  let result: { value: T } | undefined;
  void promise.then((value) => {
    result = { value };
  });
  await new Promise((resolve) => setImmediate(resolve));
  return result;
}

describe('WorkQueue', () => {
  it('hands keys out in the order they were first added, each once', async () => {
    const queue = new WorkQueue();
    for (const key of ['a', 'b', 'a', 'c', 'b']) queue.add(key);
    expect(queue.len()).toBe(3);
    expect([await queue.get(), await queue.get(), await queue.get()]).toEqual(['a', 'b', 'c']);
    expect(queue.len()).toBe(0);
  });

  it('never hands a key to two workers at once, and re-queues one added during processing', async () => {
    const queue = new WorkQueue();
    queue.add('a');
    const first = await queue.get();
    expect(first).toBe('a');

    queue.add('a');
    expect(queue.len()).toBe(0);
    const second = queue.get();
    expect(await settled(second)).toBeUndefined();

    queue.done('a');
    expect(await settled(second)).toEqual({ value: 'a' });
    queue.done('a');
    expect(queue.len()).toBe(0);
  });

  it('does not re-queue a key that was not added while processing', async () => {
    const queue = new WorkQueue();
    queue.add('a');
    await queue.get();
    queue.done('a');
    expect(queue.len()).toBe(0);
    expect(await settled(queue.get())).toBeUndefined();
  });

  it('hands waiting workers keys as they arrive, oldest worker first', async () => {
    const queue = new WorkQueue();
    const w1 = queue.get();
    const w2 = queue.get();
    queue.add('x');
    queue.add('y');
    expect(await w1).toBe('x');
    expect(await w2).toBe('y');
  });

  it('on shutDown ignores new keys, drains the queued ones, then tells workers to exit', async () => {
    const queue = new WorkQueue();
    const idle = queue.get();
    queue.add('a');
    expect(await idle).toBe('a');
    queue.add('b');
    const waiting = queue.get();
    expect(await waiting).toBe('b');
    const blocked = queue.get();
    queue.add('c');
    expect(await blocked).toBe('c');

    queue.add('d');
    queue.shutDown();
    queue.add('e');
    expect(queue.isShuttingDown()).toBe(true);
    expect(await queue.get()).toBe('d');
    expect(await queue.get()).toBeUndefined();
    expect(await queue.get()).toBeUndefined();
  });

  it('releases workers already waiting when it shuts down', async () => {
    const queue = new WorkQueue();
    const waiting = [queue.get(), queue.get()];
    queue.shutDown();
    expect(await Promise.all(waiting)).toEqual([undefined, undefined]);
  });
});
