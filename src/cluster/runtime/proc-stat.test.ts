import { describe, expect, it } from 'vitest';
import { parseProcStat, readProcesses } from './proc-stat.ts';

describe('parseProcStat', () => {
  it('counts fields from the last parenthesis, so a command name may hold spaces and parentheses', () => {
    const line =
      '4242 (node (worker) x) R 1 4242 4200 0 -1 4194560 1000 0 0 0 250 50 30 20 20 0 11 0 12345 1000000 5000 18446744073709551615\n';
    expect(parseProcStat(line)).toEqual({ pid: 4242, session: 4200, cpuSeconds: 3.5 });
  });

  it('refuses a line that is no stat line', () => {
    expect(() => parseProcStat('garbage')).toThrow(/malformed/);
  });

  it('finds this process in /proc, its CPU time growing as it works', () => {
    const self = () => readProcesses().find((p) => p.pid === process.pid)!;
    const before = self().cpuSeconds;
    // Spin until the kernel has charged a tick (10 ms), however busy the machine.
    const deadline = Date.now() + 20_000;
    while (self().cpuSeconds === before && Date.now() < deadline);
    expect(self().cpuSeconds).toBeGreaterThan(before);
  });
});
