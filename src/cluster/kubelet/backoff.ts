import type { Clock } from '../clock/clock.ts';
import type { BackOffSettings } from './config.ts';

interface Entry {
  backoffMs: number;
  lastUpdate: number;
}

/**
 * BackOff is client-go's flowcontrol.Backoff as the kubelet uses it for crashing containers and
 * failed image pulls: each key's delay starts at `initialMs` and doubles on every failure up to
 * `maxMs`; a key quiet for twice the maximum starts over.
 *
 *   crash at t=0        next(key, 0)       -> restart at once, delay now 10 s
 *   crash at t=1 s      inBackOffSince(1s) -> true until t=11 s ("back-off 10s restarting ...")
 *   restart at t=11 s   next(key)          -> delay now 20 s
 */
export class BackOff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly settings: BackOffSettings,
    private readonly clock: Clock,
  ) {}

  /** The current delay of `key`, 0 when it has none. */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /** Records a failure at `eventTime`: the delay starts or doubles. */
  next(key: string, eventTime = this.clock.now()): void {
    const entry = this.entries.get(key);
    if (!entry || this.hasExpired(eventTime, entry)) {
      this.entries.set(key, { backoffMs: this.settings.initialMs, lastUpdate: this.clock.now() });
      return;
    }
    entry.backoffMs = Math.min(entry.backoffMs * 2, this.settings.maxMs);
    entry.lastUpdate = this.clock.now();
  }

  /** Whether `key` must still wait after something that happened at `eventTime` (a crash). */
  isInBackOffSince(key: string, eventTime: number): boolean {
    const entry = this.entries.get(key);
    if (!entry || this.hasExpired(eventTime, entry)) return false;
    return this.clock.now() - eventTime < entry.backoffMs;
  }

  /** Whether `key` must still wait after its last recorded failure (an image pull). */
  isInBackOffSinceUpdate(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry || this.hasExpired(this.clock.now(), entry)) return false;
    return this.clock.now() - entry.lastUpdate < entry.backoffMs;
  }

  /** Milliseconds until `key` may try again after `eventTime`; 0 when it may now. */
  remaining(key: string, eventTime: number): number {
    const entry = this.entries.get(key);
    if (!entry) return 0;
    return Math.max(0, eventTime + entry.backoffMs - this.clock.now());
  }

  /** Milliseconds until `key`'s back-off since its last failure ends; 0 when it has. */
  remainingSinceUpdate(key: string): number {
    const entry = this.entries.get(key);
    if (!entry) return 0;
    return Math.max(0, entry.lastUpdate + entry.backoffMs - this.clock.now());
  }

  /** Forgets every key that starts with `prefix` (a pod that is gone). */
  forgetPrefix(prefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  private hasExpired(eventTime: number, entry: Entry): boolean {
    return eventTime - entry.lastUpdate > this.settings.maxMs * 2;
  }
}
