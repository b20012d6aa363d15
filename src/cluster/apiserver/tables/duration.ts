const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;

/**
 * clockSkew classifies a duration that may be negative because two clocks disagree. Up to a
 * second and a bit behind still reads as "just now"; further behind is "<invalid>". Whole
 * seconds are counted toward zero, as Go's int(d.Seconds()) does, so -1.9s is still "0s".
 */
function clockSkew(ms: number): '<invalid>' | '0s' | undefined {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0 || ms < 0) return '0s';
  return undefined;
}

/** Writes a whole unit and, when not zero, the next smaller one: "2m" or "2m5s". */
function twoUnits(major: number, majorUnit: string, minor: number, minorUnit: string): string {
  return minor === 0 ? `${major}${majorUnit}` : `${major}${majorUnit}${minor}${minorUnit}`;
}

/**
 * humanDuration writes an elapsed time (in milliseconds) the way apimachinery's
 * duration.HumanDuration does; it is what every AGE cell shows. Precision drops as the time grows
 * so that a cell keeps two or three significant figures:
 *
 *   under 2 minutes   seconds               "0s", "59s", "119s"
 *   under 10 minutes  minutes and seconds   "2m", "2m3s", "9m59s"
 *   under 3 hours     minutes               "10m", "179m"
 *   under 8 hours     hours and minutes     "3h", "7h59m"
 *   under 2 days      hours                 "8h", "47h"
 *   under 8 days      days and hours        "2d", "7d23h"
 *   under 2 years     days                  "8d", "729d"
 *   under 8 years     years and days        "2y", "7y364d"
 *   beyond            years                 "8y"
 *
 * A negative time (a clock ahead of ours) is "0s" within a second and "<invalid>" beyond.
 */
export function humanDuration(ms: number): string {
  const skew = clockSkew(ms);
  if (skew) return skew;
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < 2 * 60) return `${seconds}s`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) return twoUnits(minutes, 'm', seconds % 60, 's');
  if (minutes < 3 * 60) return `${minutes}m`;
  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) return twoUnits(hours, 'h', minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 8 * 24) return twoUnits(days, 'd', hours % 24, 'h');
  if (hours < 2 * 365 * 24) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 8 * 365 * 24) return twoUnits(years, 'y', days % 365, 'd');
  return `${years}y`;
}

/**
 * shortHumanDuration is apimachinery's duration.ShortHumanDuration: one unit only, rounded down
 * ("59s", "59m", "23h", "364d", "1y"). No printer here uses it; it suits narrow cells such as a
 * TUI's, which then read the same way kubectl's other short ages do.
 */
export function shortHumanDuration(ms: number): string {
  const skew = clockSkew(ms);
  if (skew) return skew;
  if (ms < MINUTE) return `${Math.trunc(ms / SECOND)}s`;
  if (ms < HOUR) return `${Math.trunc(ms / MINUTE)}m`;
  if (ms < DAY) return `${Math.trunc(ms / HOUR)}h`;
  if (ms < YEAR) return `${Math.trunc(ms / DAY)}d`;
  return `${Math.trunc(ms / YEAR)}y`;
}

/**
 * GO_ZERO_TIME is Go's zero time.Time as metav1.Time writes it. Kubernetes treats it as "not set",
 * exactly like a missing timestamp.
 */
const GO_ZERO_TIME = Date.parse('0001-01-01T00:00:00Z');

/** parseTimestamp reads a metav1.Time or MicroTime; undefined when it is absent or Go's zero time. */
export function parseTimestamp(timestamp: string | undefined): number | undefined {
  if (!timestamp) return undefined;
  const ms = Date.parse(timestamp);
  if (Number.isNaN(ms) || ms === GO_ZERO_TIME) return undefined;
  return ms;
}

/**
 * translateTimestampSince is the printers' helper of the same name: how long ago a timestamp was,
 * as humanDuration writes it, or "<unknown>" when there is no timestamp.
 */
export function translateTimestampSince(timestamp: string | undefined, now: Date): string {
  const ms = parseTimestamp(timestamp);
  return ms === undefined ? '<unknown>' : humanDuration(now.getTime() - ms);
}
