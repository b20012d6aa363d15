import type { Clock, Timer } from '../clock/clock.ts';

/** What one sync of a pod asks for next. */
export interface SyncOutcome {
  /** Sync again after this long even if nothing happens (a back-off ends). */
  readonly requeueAfterMs?: number;
  /** The pod is finished with: its worker goes away. */
  readonly done?: boolean;
}

interface WorkerState {
  /** The loop in progress, if any. */
  running?: Promise<void>;
  pending: boolean;
  timer?: Timer;
}

/**
 * PodWorkers serialises the kubelet's work per pod UID, after pod_workers.go: at most one sync of
 * a pod runs at a time; updates that arrive meanwhile fold into one more sync afterwards, which
 * reads the newest state. Different pods sync concurrently. A failed sync is retried after
 * `backOffPeriodMs`; a good one is repeated after `resyncMs` (syncFrequency) or sooner if it asks.
 */
export class PodWorkers {
  private readonly workers = new Map<string, WorkerState>();
  private stopped = false;

  constructor(
    private readonly syncPod: (uid: string) => Promise<SyncOutcome>,
    private readonly options: {
      readonly clock: Clock;
      readonly resyncMs: number;
      readonly backOffPeriodMs: number;
      readonly onError: (err: unknown) => void;
    },
  ) {}

  /** UpdatePod: sync the pod soon (now if its worker is idle). */
  updatePod(uid: string): void {
    if (this.stopped) return;
    let state = this.workers.get(uid);
    if (!state) {
      state = { pending: false };
      this.workers.set(uid, state);
    }
    state.pending = true;
    if (!state.running) state.running = this.work(uid, state);
  }

  /** Stops scheduling syncs; resolves when the syncs in progress have finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const state of this.workers.values()) state.timer?.cancel();
    await Promise.all([...this.workers.values()].map((s) => s.running));
  }

  private async work(uid: string, state: WorkerState): Promise<void> {
    state.timer?.cancel();
    let outcome: SyncOutcome = {};
    while (state.pending && !this.stopped) {
      state.pending = false;
      try {
        outcome = await this.syncPod(uid);
      } catch (err) {
        this.options.onError(err);
        outcome = { requeueAfterMs: this.options.backOffPeriodMs };
      }
      if (outcome.done) {
        this.workers.delete(uid);
        return;
      }
    }
    state.running = undefined;
    if (this.stopped) return;
    const delay = Math.min(outcome.requeueAfterMs ?? this.options.resyncMs, this.options.resyncMs);
    state.timer = this.options.clock.setTimeout(() => this.updatePod(uid), delay);
  }
}
