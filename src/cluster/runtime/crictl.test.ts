import { expect, it } from 'vitest';
import { humanSize, table, truncateId, unitsHumanDuration } from './crictl.ts';

it('writes tables as Go tabwriter with minwidth 20 and padding 3', () => {
  expect(
    table([
      ['A', 'B', 'C'],
      ['a-very-long-cell-value-x', 'b', 'c'],
    ]),
  ).toBe(`${'A'.padEnd(27)}${'B'.padEnd(20)}C\na-very-long-cell-value-x   ${'b'.padEnd(20)}c\n`);
});

it('prints ages and sizes as docker/go-units does', () => {
  expect(unitsHumanDuration(400)).toBe('Less than a second');
  expect(unitsHumanDuration(1_000)).toBe('1 second');
  expect(unitsHumanDuration(59_000)).toBe('59 seconds');
  expect(unitsHumanDuration(90_000)).toBe('About a minute');
  expect(unitsHumanDuration(45 * 60_000)).toBe('45 minutes');
  expect(unitsHumanDuration(80 * 60_000)).toBe('About an hour');
  expect(unitsHumanDuration(30 * 3_600_000)).toBe('30 hours');
  expect(unitsHumanDuration(3 * 86_400_000)).toBe('3 days');
  expect(humanSize(512)).toBe('512B');
  expect(humanSize(94_252)).toBe('94.3kB');
  expect(humanSize(187_000_000)).toBe('187MB');
  expect(truncateId('sha256:0123456789abcdef')).toBe('0123456789abc');
});
