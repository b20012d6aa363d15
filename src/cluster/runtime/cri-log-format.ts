/**
 * The CRI log format kubelets read and containerd writes: one line per chunk of output,
 *   2026-11-25T19:00:00.123456789Z stdout F GET / 200
 *   2026-11-25T19:00:00.223456789Z stdout P a long line's first part
 * timestamp (RFC 3339, nine fractional digits), stream, tag (F a full line, P a partial one whose
 * rest follows), then the text without its newline.
 */

export type LogStream = 'stdout' | 'stderr';

export interface LogEntry {
  /** Nanoseconds since the epoch. */
  readonly timestamp: bigint;
  readonly stream: LogStream;
  readonly partial: boolean;
  readonly text: string;
}

/** The fixed nine-digit form the log files use: 2026-11-25T19:00:00.123456789Z. */
export function formatRfc3339NanoFixed(ns: bigint): string {
  const seconds = ns / 1_000_000_000n;
  const fraction = String(ns % 1_000_000_000n).padStart(9, '0');
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${fraction}Z`;
}

/** Go's RFC3339Nano, trailing zeros trimmed, as the kubelet prints `kubectl logs --timestamps`. */
export function formatRfc3339Nano(ns: bigint): string {
  return formatRfc3339NanoFixed(ns).replace(/\.?0+Z$/, 'Z');
}

export function formatLogLine(entry: LogEntry): string {
  return `${formatRfc3339NanoFixed(entry.timestamp)} ${entry.stream} ${entry.partial ? 'P' : 'F'} ${entry.text}\n`;
}

const lineFormat =
  /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d) (stdout|stderr) ([PF]) (.*)$/s;

/** Parses one line of a log file (without its newline); undefined for a line that is not CRI format. */
export function parseLogLine(line: string): LogEntry | undefined {
  const m = lineFormat.exec(line);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  const fraction = BigInt((m[2] ?? '').padEnd(9, '0'));
  return {
    timestamp: BigInt(ms) * 1_000_000n + fraction,
    stream: m[4] as LogStream,
    partial: m[5] === 'P',
    text: m[6]!,
  };
}
