/** What the lower pane hands every tab. */
export interface TabProps {
  readonly width: number;
  readonly height: number;
  /** Rows not containing it are hidden ('/' filter). */
  readonly filter: string;
  /** The highlighted row, kept within the rows the tab has; -1 when the pane is not focused. */
  readonly selected: number;
}

/** The `height` rows around `selected`, so the highlighted row stays visible. */
export function visibleWindow<T>(
  rows: readonly T[],
  height: number,
  selected: number,
): { rows: readonly T[]; first: number } {
  const first = Math.max(0, Math.min(selected - height + 1, rows.length - height, selected));
  const start = selected < 0 ? Math.max(0, rows.length - height) : Math.max(0, first);
  return { rows: rows.slice(start, start + height), first: start };
}
