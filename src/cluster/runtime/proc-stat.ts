import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ: /proc counts CPU time in ticks of 1/100 s on every Linux ABI, whatever the kernel's HZ. */
const TICKS_PER_SECOND = 100;

/** What the lab reads of one process in /proc/<pid>/stat. */
export interface ProcStat {
  readonly pid: number;
  /** The session the process belongs to: a container's processes share its main process's. */
  readonly session: number;
  /** CPU time of the process and of the children it has reaped (utime+stime+cutime+cstime), in seconds. */
  readonly cpuSeconds: number;
}

/**
 * parseProcStat reads a /proc/<pid>/stat line. The command name (field 2) is in parentheses and may
 * hold spaces or parentheses itself, so the fields are counted from the last ")":
 *
 *   1234 (node) S 1 1234 1234 0 -1 4194560 ... utime stime cutime cstime ...
 *             3:^ 4 5    6: session          14:^   15    16     17
 */
export function parseProcStat(text: string): ProcStat {
  const close = text.lastIndexOf(')');
  const fields = text
    .slice(close + 2)
    .trim()
    .split(' ');
  const field = (n: number) => Number(fields[n - 3] ?? Number.NaN);
  const ticks = field(14) + field(15) + field(16) + field(17);
  const pid = Number.parseInt(text, 10);
  if (close < 0 || !Number.isInteger(pid) || !Number.isFinite(ticks) || !Number.isInteger(field(6))) {
    throw new Error(`malformed /proc stat line: ${JSON.stringify(text.slice(0, 80))}`);
  }
  return { pid, session: field(6), cpuSeconds: ticks / TICKS_PER_SECOND };
}

/** Every process /proc shows now; one that ends while being read is left out. */
export function readProcesses(): ProcStat[] {
  const processes: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      processes.push(parseProcStat(readFileSync(`/proc/${entry}/stat`, 'utf8')));
    } catch {
      // Gone between the listing and the read.
    }
  }
  return processes;
}
