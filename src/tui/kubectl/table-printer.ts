import { z } from 'zod';
import { formatLabels } from '../../cluster/api/labels.ts';

/** A meta.k8s.io/v1 Table as it arrives from the API server (what kubectl get asks for). */
export const WireTable = z.object({
  kind: z.literal('Table'),
  columnDefinitions: z.array(z.object({ name: z.string(), priority: z.number().optional() })),
  rows: z
    .array(
      z.object({
        cells: z.array(z.unknown()),
        object: z
          .object({
            metadata: z
              .object({
                name: z.string().optional(),
                namespace: z.string().optional(),
                labels: z.record(z.string(), z.string()).optional(),
              })
              .optional(),
          })
          .optional(),
      }),
    )
    .nullish(),
});
export type WireTable = z.infer<typeof WireTable>;

/** What `kubectl get` adds around the server's columns. */
export interface TablePrintOptions {
  /** -o wide: the columns of priority 1 too. */
  readonly wide: boolean;
  /** -A: a NAMESPACE column first. */
  readonly withNamespace: boolean;
  /** --show-labels: a LABELS column last. */
  readonly showLabels: boolean;
  /** "deployment.apps" when several kinds were asked for: names print as deployment.apps/web. */
  readonly kindPrefix?: string;
}

/** A cell as kubectl's table printer writes it: cut at the first line break, "..." after it. */
function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return '';
  const text = String(cell);
  const lineBreak = text.search(/[\f\n\r]/);
  return lineBreak < 0 ? text : `${text.slice(0, lineBreak)}...`;
}

/** The header and rows of one kind's table, before alignment. */
export function tableRows(tables: readonly WireTable[], options: TablePrintOptions): string[][] {
  const definitions = tables[0]?.columnDefinitions ?? [];
  const keep = definitions.map((c) => options.wide || !c.priority);
  const header = definitions.filter((_, i) => keep[i]).map((c) => c.name.toUpperCase());
  const lines = [
    [...(options.withNamespace ? ['NAMESPACE'] : []), ...header, ...(options.showLabels ? ['LABELS'] : [])],
  ];
  for (const row of tables.flatMap((t) => t.rows ?? [])) {
    const cells = row.cells.filter((_, i) => keep[i]).map(cellText);
    if (options.kindPrefix && cells.length) cells[0] = `${options.kindPrefix}/${cells[0]}`;
    const meta = row.object?.metadata;
    lines.push([
      ...(options.withNamespace ? [meta?.namespace ?? ''] : []),
      ...cells,
      ...(options.showLabels ? [formatLabels(meta?.labels)] : []),
    ]);
  }
  return lines;
}

/**
 * alignColumns lays rows out as Go's text/tabwriter does for kubectl: each column as wide as its
 * widest cell plus `padding`, never under `minWidth`, the last column left as it is.
 */
export function alignColumns(
  lines: readonly (readonly string[])[],
  minWidth: number,
  padding: number,
): string[] {
  const length = (s: string) => [...s].length;
  const widths: number[] = [];
  for (const line of lines) {
    line.slice(0, -1).forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? minWidth, length(cell) + padding);
    });
  }
  return lines.map((line) =>
    line
      .map((cell, i) => (i === line.length - 1 ? cell : cell + ' '.repeat(widths[i]! - length(cell))))
      .join(''),
  );
}

/** kubectl get's tabwriter: minimum width 6, three spaces apart. */
export const printTable = (lines: readonly (readonly string[])[]): string[] => alignColumns(lines, 6, 3);
