import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/fake-clock.ts';
import { RoundRobin } from './round-robin.ts';

const eps = (...ips: string[]) => ips.map((ip) => ({ ip, port: 80, ready: true }));

describe('RoundRobin', () => {
  it('takes endpoints in turn', () => {
    const rr = new RoundRobin(new FakeClock());
    rr.update(eps('a', 'b', 'c'), 0);
    expect([1, 2, 3, 4].map(() => rr.pick('client')?.ip)).toEqual(['a', 'b', 'c', 'a']);
  });

  it('keeps a client on its endpoint with ClientIP affinity until the timeout or the endpoint leaves', () => {
    const clock = new FakeClock();
    const rr = new RoundRobin(clock);
    rr.update(eps('a', 'b'), 10);
    expect(rr.pick('x')?.ip).toBe('a');
    expect(rr.pick('y')?.ip).toBe('b');
    expect(rr.pick('x')?.ip).toBe('a');
    clock.step(11_000);
    expect(rr.pick('y')?.ip).toBe('a');
    rr.update(eps('b'), 10);
    expect(rr.pick('y')?.ip).toBe('b');
  });

  it('has nothing to give when no endpoint is ready', () => {
    const rr = new RoundRobin(new FakeClock());
    rr.update([], 0);
    expect(rr.pick('x')).toBeUndefined();
  });
});
