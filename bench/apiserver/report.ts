// The API server's table: one row per figure, its goal and whether this run met it, and how busy
// the control plane and this client were while it was measured. A goal not met is a finding to
// print, never a failure: the benchmark exits 0 either way.

import { formatValue } from '../proc.ts';
import type { CpuUse } from '../store/report.ts';

export interface Goal {
  /** `>=`: the value should be at least `value` (throughput); `<=`: at most (time, memory). */
  readonly op: '>=' | '<=';
  readonly value: number;
}

export interface Row {
  readonly label: string;
  readonly unit: string;
  readonly value: number;
  readonly goal?: Goal;
  /** CPU while measuring, in % of one core (100% = one core busy the whole time). */
  readonly cpu?: CpuUse;
}

export function met(row: Row): string {
  if (!row.goal) return '';
  if (!Number.isFinite(row.value)) return 'n/a';
  const ok = row.goal.op === '>=' ? row.value >= row.goal.value : row.value <= row.goal.value;
  return ok ? 'yes' : 'NO';
}

export function formatTable(rows: readonly Row[]): string {
  const header = ['figure', 'unit', 'value', 'goal', 'met?', 'CPU server/client'];
  const body = rows.map((row) => [
    row.label,
    row.unit,
    formatValue(row.value),
    row.goal ? `${row.goal.op} ${formatValue(row.goal.value)}` : '',
    met(row),
    row.cpu ? `${row.cpu.server.toFixed(0)}% / ${row.cpu.client.toFixed(0)}%` : '',
  ]);
  const widths = header.map((title, col) =>
    Math.max(title.length, ...body.map((cells) => cells[col]!.length)),
  );
  // Text columns align left, numbers right.
  const leftAligned = new Set([0, 1, 4]);
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, col) => (leftAligned.has(col) ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...body.map(line)].join('\n');
}
