/**
 * SchedulingQueue holds the pods waiting for a node, after kube-scheduler's PriorityQueue
 * (pkg/scheduler/backend/queue). A pod is in at most one of three places:
 *
 *   activeQ        ready to be tried; pop() takes the highest priority, then the oldest
 *   backoffQ       failed recently; moves to activeQ when its backoff ends
 *                  (1 s after the first failure, doubling up to 10 s)
 *   unschedulable  no node fitted and nothing has changed since; waits for a cluster event
 *                  (a node added or changed, a pod deleted) or, at the latest, 5 minutes
 *
 * A worked example, pod p with a nodeSelector nothing matches:
 *
 *   add(p)                     activeQ [p]
 *   pop() -> p (cycle 1)       being scheduled; no node fits
 *   addUnschedulable(p, 1)     unschedulable {p}
 *   node-2 gets the label      moveAllToActiveOrBackoffQueue: p is still backing off -> backoffQ
 *   1 s later                  activeQ [p]; pop() -> p (cycle 2); node-2 fits
 *
 * A cluster event that arrives while p is being scheduled could be the one p needs, so
 * moveRequestCycle remembers it: a pod whose cycle started before the latest move request goes
 * to backoffQ rather than waiting in unschedulable for an event that has already happened.
 */
import type { Pod } from '../../api/core/pod.ts';
import { type Clock, systemClock, type Timer } from '../../clock/clock.ts';

export interface QueuedPodInfo {
  pod: Pod;
  readonly key: string;
  /** When the pod entered its current queue; backoff is counted from here. */
  timestamp: number;
  /** How many times the pod has been popped for scheduling. */
  attempts: number;
  /** Filter plugins that ruled nodes out last time: what a learner would look at. */
  unschedulablePlugins: ReadonlySet<string>;
}

export interface SchedulingQueueOptions {
  readonly clock?: Clock;
  /** 1000 ms unless given. */
  readonly podInitialBackoffMs?: number;
  /** 10000 ms unless given. */
  readonly podMaxBackoffMs?: number;
  /** How long a pod may wait in unschedulable without an event: 5 minutes unless given. */
  readonly podMaxInUnschedulablePodsDurationMs?: number;
}

export const podKey = (pod: Pod): string => `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;

type Place = 'active' | 'backoff' | 'unschedulable';

export class SchedulingQueue {
  private readonly clock: Clock;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxUnschedulableMs: number;
  private readonly activeQ = new Map<string, QueuedPodInfo>();
  private readonly backoffQ = new Map<string, QueuedPodInfo>();
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  /** Attempts survive a trip through the queues, so backoff keeps growing for a stuck pod. */
  private readonly attempts = new Map<string, number>();
  private schedulingCycle = 0;
  private moveRequestCycle = -1;
  private readonly waiters: ((info: QueuedPodInfo | undefined) => void)[] = [];
  private backoffTimer: { at: number; timer: Timer } | undefined;
  private leftoverTimer: { at: number; timer: Timer } | undefined;
  private closed = false;

  constructor(options: SchedulingQueueOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.initialBackoffMs = options.podInitialBackoffMs ?? 1000;
    this.maxBackoffMs = options.podMaxBackoffMs ?? 10_000;
    this.maxUnschedulableMs = options.podMaxInUnschedulablePodsDurationMs ?? 5 * 60_000;
  }

  /** A new pending pod: straight to activeQ. */
  add(pod: Pod): void {
    const key = podKey(pod);
    this.remove(key);
    this.toActive(this.newInfo(pod));
  }

  /**
   * The pod changed. In activeQ or backoffQ it is just refreshed. In unschedulable, a change to
   * what scheduling reads (spec, labels) may make it fit, so it moves; other changes, such as the
   * annotations and status the scheduler writes itself, leave it waiting (or it would retry forever).
   */
  update(oldPod: Pod, newPod: Pod): void {
    const key = podKey(newPod);
    const where = this.placeOf(key);
    if (where === undefined) return;
    const info = this.queue(where).get(key)!;
    info.pod = newPod;
    if (where === 'unschedulable' && schedulingInputsChanged(oldPod, newPod)) {
      this.unschedulable.delete(key);
      this.moveToActiveOrBackoff(info);
    }
  }

  /** The pod is gone or bound: forget it everywhere. */
  delete(pod: Pod): void {
    const key = podKey(pod);
    this.remove(key);
    this.attempts.delete(key);
  }

  /**
   * The next pod to schedule, waiting while activeQ is empty; undefined after close(). Each pop
   * starts a new scheduling cycle, which addUnschedulableIfNotPresent needs back.
   */
  pop(): Promise<{ info: QueuedPodInfo; cycle: number } | undefined> {
    return new Promise((resolve) => {
      this.waiters.push((info) => {
        if (!info) return resolve(undefined);
        this.schedulingCycle++;
        info.attempts = (this.attempts.get(info.key) ?? 0) + 1;
        this.attempts.set(info.key, info.attempts);
        resolve({ info, cycle: this.schedulingCycle });
      });
      this.handOut();
    });
  }

  /**
   * A pod that did not fit (or hit an error) comes back. Errors and pods whose cycle overlapped a
   * cluster event go to backoffQ; the others wait in unschedulable.
   */
  addUnschedulableIfNotPresent(info: QueuedPodInfo, podSchedulingCycle: number, error = false): void {
    if (this.closed || this.placeOf(info.key) !== undefined) return;
    info.timestamp = this.clock.now();
    if (error || this.moveRequestCycle >= podSchedulingCycle) {
      this.toBackoff(info);
    } else {
      this.unschedulable.set(info.key, info);
      this.armLeftover();
    }
  }

  /**
   * A cluster event (node added or updated, pod deleted) may let waiting pods fit: every
   * unschedulable pod moves to activeQ, or to backoffQ if its backoff has not ended.
   */
  moveAllToActiveOrBackoffQueue(_event: string): void {
    for (const info of this.unschedulable.values()) this.moveToActiveOrBackoff(info);
    this.unschedulable.clear();
    this.moveRequestCycle = this.schedulingCycle;
  }

  /** Pod names per queue, for the learner's view of what is waiting. */
  pendingPods(): Record<Place, string[]> {
    return {
      active: [...this.activeQ.keys()],
      backoff: [...this.backoffQ.keys()],
      unschedulable: [...this.unschedulable.keys()],
    };
  }

  /** Releases waiting pop() calls with undefined and stops the timers. */
  close(): void {
    this.closed = true;
    this.backoffTimer?.timer.cancel();
    this.leftoverTimer?.timer.cancel();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }

  /** When the pod's backoff ends: initial * 2^(attempts-1), capped. */
  backoffExpiry(info: QueuedPodInfo): number {
    const exponent = Math.max(0, (this.attempts.get(info.key) ?? info.attempts) - 1);
    const duration = Math.min(this.initialBackoffMs * 2 ** exponent, this.maxBackoffMs);
    return info.timestamp + duration;
  }

  private newInfo(pod: Pod): QueuedPodInfo {
    return {
      pod,
      key: podKey(pod),
      timestamp: this.clock.now(),
      attempts: 0,
      unschedulablePlugins: new Set(),
    };
  }

  private moveToActiveOrBackoff(info: QueuedPodInfo): void {
    if (this.backoffExpiry(info) > this.clock.now()) this.toBackoff(info);
    else this.toActive(info);
  }

  private toActive(info: QueuedPodInfo): void {
    if (this.closed) return;
    this.activeQ.set(info.key, info);
    this.handOut();
  }

  private toBackoff(info: QueuedPodInfo): void {
    this.backoffQ.set(info.key, info);
    this.armBackoff();
  }

  private handOut(): void {
    while (this.waiters.length > 0) {
      const next = this.highestPriority();
      if (!next) return;
      this.activeQ.delete(next.key);
      this.waiters.shift()!(next);
    }
  }

  /**
   * PrioritySort: higher spec.priority first, then the earlier timestamp. A linear scan: a lab
   * has tens of pending pods, and this reads like the rule it implements.
   */
  private highestPriority(): QueuedPodInfo | undefined {
    let best: QueuedPodInfo | undefined;
    for (const info of this.activeQ.values()) {
      if (!best) best = info;
      else {
        const p = info.pod.spec.priority ?? 0;
        const bp = best.pod.spec.priority ?? 0;
        if (p > bp || (p === bp && info.timestamp < best.timestamp)) best = info;
      }
    }
    return best;
  }

  private armBackoff(): void {
    let at = Number.POSITIVE_INFINITY;
    for (const info of this.backoffQ.values()) at = Math.min(at, this.backoffExpiry(info));
    if (at === Number.POSITIVE_INFINITY || (this.backoffTimer && this.backoffTimer.at <= at)) return;
    this.backoffTimer?.timer.cancel();
    const timer = this.clock.setTimeout(() => this.flushBackoffQCompleted(), at - this.clock.now());
    this.backoffTimer = { at, timer };
  }

  private flushBackoffQCompleted(): void {
    this.backoffTimer = undefined;
    const now = this.clock.now();
    for (const info of [...this.backoffQ.values()]) {
      if (this.backoffExpiry(info) <= now) {
        this.backoffQ.delete(info.key);
        this.toActive(info);
      }
    }
    this.armBackoff();
  }

  private armLeftover(): void {
    let at = Number.POSITIVE_INFINITY;
    for (const info of this.unschedulable.values())
      at = Math.min(at, info.timestamp + this.maxUnschedulableMs);
    if (at === Number.POSITIVE_INFINITY || (this.leftoverTimer && this.leftoverTimer.at <= at)) return;
    this.leftoverTimer?.timer.cancel();
    const timer = this.clock.setTimeout(() => this.flushUnschedulableLeftover(), at - this.clock.now());
    this.leftoverTimer = { at, timer };
  }

  /** Pods that waited too long for an event try again anyway, in case one was missed. */
  private flushUnschedulableLeftover(): void {
    this.leftoverTimer = undefined;
    const now = this.clock.now();
    for (const info of [...this.unschedulable.values()]) {
      if (info.timestamp + this.maxUnschedulableMs <= now) {
        this.unschedulable.delete(info.key);
        this.moveToActiveOrBackoff(info);
      }
    }
    this.armLeftover();
  }

  private placeOf(key: string): Place | undefined {
    if (this.activeQ.has(key)) return 'active';
    if (this.backoffQ.has(key)) return 'backoff';
    if (this.unschedulable.has(key)) return 'unschedulable';
    return undefined;
  }

  private queue(place: Place): Map<string, QueuedPodInfo> {
    return place === 'active' ? this.activeQ : place === 'backoff' ? this.backoffQ : this.unschedulable;
  }

  private remove(key: string): void {
    this.activeQ.delete(key);
    this.backoffQ.delete(key);
    this.unschedulable.delete(key);
  }
}

/** Whether a pod update touches what the plugins read: its spec or its labels. */
function schedulingInputsChanged(oldPod: Pod, newPod: Pod): boolean {
  return (
    JSON.stringify(oldPod.spec) !== JSON.stringify(newPod.spec) ||
    JSON.stringify(oldPod.metadata.labels ?? {}) !== JSON.stringify(newPod.metadata.labels ?? {})
  );
}
