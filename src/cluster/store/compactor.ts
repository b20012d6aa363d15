import type { Clock } from '../clock/clock.ts';

/**
 * How history is trimmed automatically, after etcd's --auto-compaction-mode:
 * - revision: keep the last `retention` revisions;
 * - periodic: keep what was written in the last `retentionMs`.
 */
export type AutoCompaction =
  | { readonly mode: 'revision'; readonly retention: number }
  | { readonly mode: 'periodic'; readonly retentionMs: number }
  | { readonly mode: 'off' };

export interface CompactorTarget {
  readonly committedRevision: number;
  readonly compactRevision: number;
  compact(req: { revision: number }): Promise<unknown>;
}

/**
 * Compactor runs the chosen policy on a timer. Periodic mode samples the revision at each tick and
 * compacts to the newest sample older than the retention window.
 */
export class Compactor {
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly samples: { at: number; revision: number }[] = [];

  constructor(
    private readonly policy: AutoCompaction,
    private readonly target: CompactorTarget,
    private readonly clock: Clock,
    intervalMs: number,
    private readonly onError: (err: unknown) => void,
  ) {
    if (policy.mode === 'off') return;
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
  }

  /** The revision the policy compacts to now, or undefined when there is nothing to do. */
  due(): number | undefined {
    const committed = this.target.committedRevision;
    let revision: number | undefined;
    if (this.policy.mode === 'revision') {
      revision = committed - this.policy.retention;
    } else if (this.policy.mode === 'periodic') {
      const now = this.clock.now();
      this.samples.push({ at: now, revision: committed });
      const cutoff = now - this.policy.retentionMs;
      while (this.samples.length > 1 && this.samples[1]!.at <= cutoff) this.samples.shift();
      if (this.samples[0]!.at <= cutoff) revision = this.samples[0]!.revision;
    }
    return revision !== undefined && revision > this.target.compactRevision ? revision : undefined;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    const revision = this.due();
    if (revision !== undefined) this.target.compact({ revision }).catch(this.onError);
  }
}
