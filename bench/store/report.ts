// The side-by-side table. Every row is one figure measured on both servers; the ratio column is
// oriented so that above 1.0 always means ours did better: ours/etcd where higher is better
// (throughput), etcd/ours where lower is better (time, memory).

import { formatValue } from '../proc.ts';
import type { TargetName } from './server-process.ts';

export interface Row {
  readonly label: string;
  readonly unit: string;
  readonly better: 'higher' | 'lower';
  readonly values: Record<TargetName, number>;
  /**
   * Standard errors, for figures estimated from noisy readings. A value within two standard errors
   * of zero cannot be told from zero, so no ratio is printed for it.
   */
  readonly errors?: Record<TargetName, number>;
  /** CPU while measuring, in % of one core (100% = one core busy the whole time). */
  readonly cpu?: Record<TargetName, CpuUse>;
}

export interface CpuUse {
  readonly server: number;
  readonly client: number;
}

/** True when a value is within two standard errors of zero: too noisy to divide by. */
export function indistinctFromZero(row: Row, target: TargetName): boolean {
  const error = row.errors?.[target];
  return error !== undefined && Math.abs(row.values[target]) <= 2 * error;
}

export function ratio(row: Row): number {
  if (indistinctFromZero(row, 'etcd') || indistinctFromZero(row, 'ours')) return Number.NaN;
  const { etcd, ours } = row.values;
  return row.better === 'higher' ? ours / etcd : etcd / ours;
}

function formatWithError(row: Row, target: TargetName): string {
  const error = row.errors?.[target];
  const value = formatValue(row.values[target]);
  return error === undefined ? value : `${value} ± ${formatValue(error)}`;
}

function formatCpu(cpu: CpuUse): string {
  return `${cpu.server.toFixed(0)}% / ${cpu.client.toFixed(0)}%`;
}

export function formatTable(rows: readonly Row[]): string {
  const header = ['figure', 'unit', 'etcd', 'ours', 'ratio', 'CPU server/client: etcd', 'ours'];
  const body = rows.map((row) => [
    row.label,
    `${row.unit} (${row.better} is better)`,
    formatWithError(row, 'etcd'),
    formatWithError(row, 'ours'),
    Number.isFinite(ratio(row)) ? ratio(row).toFixed(2) : 'n/a',
    row.cpu ? formatCpu(row.cpu.etcd) : '',
    row.cpu ? formatCpu(row.cpu.ours) : '',
  ]);
  const widths = header.map((title, col) =>
    Math.max(title.length, ...body.map((cells) => cells[col]!.length)),
  );
  // Text columns align left, numbers right.
  const leftAligned = new Set([0, 1]);
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, col) => (leftAligned.has(col) ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...body.map(line)].join('\n');
}
