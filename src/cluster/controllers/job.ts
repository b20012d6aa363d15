/**
 * JobController runs every Job's pods to completion, after pkg/controller/job/job_controller.go
 * (NonIndexed completion mode).
 *
 *   pod and Job events ──> queue of Job keys ──> syncJob(key)
 *     1. count the job's pods: active, succeeded, failed, ready
 *     2. finished? more than backoffLimit failures fail it (BackoffLimitExceeded), spec.completions
 *        successes complete it; either way its active pods are deleted and finished pods kept
 *     3. otherwise, if the expectations of the last sync are met, create pods up to parallelism
 *        (never more than the completions still missing), waiting out the backoff after a failure
 *     4. write status: active, succeeded, failed, ready, startTime, completionTime, conditions
 *
 * A worked example: completions 3, parallelism 2. The first sync creates two pods; when one
 * succeeds, 2 completions are missing and one pod is active, so one more is created; when the
 * second succeeds only one is missing and one is running, so none is created; the third success
 * completes the job.
 */
import type { Job } from '../api/batch/job.ts';
import type { Pod } from '../api/core/pod.ts';
import { semanticEqual } from '../api/equality.ts';
import { formatTime } from '../api/meta.ts';
import { jobs, pods as podResource } from '../api/resources.ts';
import { EventRecorder } from '../client/event-recorder.ts';
import { RateLimitingQueue } from '../client/rate-limiting-queue.ts';
import { isNotFound, type RestClient } from '../client/rest-client.ts';
import type { SharedInformer, SharedInformerFactory } from '../client/shared-informer.ts';
import { type Clock, systemClock } from '../clock/clock.ts';
import {
  ControllerExpectations,
  eventErrors,
  getControllerOf,
  isNamespaceTerminating,
  isPodActive,
  isPodReady,
  keyOf,
  PodControl,
  resolveControllerRef,
  runWorkers,
  slowStartBatch,
  sortPodsToDelete,
  splitKey,
} from './controller-utils.ts';

/** The first wait before replacing a failed pod; it doubles with each failure since the last success. */
const DefaultJobPodFailureBackOffMs = 10_000;
const MaxJobPodFailureBackOffMs = 10 * 60_000;
/** The most pods one sync creates (the job controller's MaxPodCreateDeletePerSync). */
const MaxPodCreateDeletePerSync = 500;

type JobCondition = NonNullable<Job['status']['conditions']>[number];

/** How a job ended: the conditions it gets and the event it records. */
interface Finish {
  readonly conditions: readonly ('SuccessCriteriaMet' | 'Complete' | 'FailureTarget' | 'Failed')[];
  readonly reason: string;
  readonly message: string;
  readonly event: { type: 'Normal' | 'Warning'; reason: string; message: string };
}

const completed: Finish = {
  conditions: ['SuccessCriteriaMet', 'Complete'],
  reason: 'CompletionsReached',
  message: 'Reached expected number of succeeded pods',
  event: { type: 'Normal', reason: 'Completed', message: 'Job completed' },
};

const backoffLimitExceeded: Finish = {
  conditions: ['FailureTarget', 'Failed'],
  reason: 'BackoffLimitExceeded',
  message: 'Job has reached the specified backoff limit',
  event: {
    type: 'Warning',
    reason: 'BackoffLimitExceeded',
    message: 'Job has reached the specified backoff limit',
  },
};

export interface JobControllerOptions {
  readonly clock?: Clock;
  readonly onError?: (err: unknown) => void;
}

const hasCondition = (job: Job, type: string) =>
  job.status.conditions?.some((c) => c.type === type && c.status === 'True') ?? false;

/** A job is finished once it has a Complete or Failed condition; nothing changes it after that. */
export const isJobFinished = (job: Job) => hasCondition(job, 'Complete') || hasCondition(job, 'Failed');

/** When a pod finished: the latest finishedAt of its containers. */
function finishTime(pod: Pod): number {
  const times = (pod.status?.containerStatuses ?? []).map((s) =>
    Date.parse(s.state?.terminated?.finishedAt ?? ''),
  );
  return Math.max(0, ...times.filter((t) => !Number.isNaN(t)));
}

export class JobController {
  readonly queue: RateLimitingQueue<string>;
  private readonly jobInformer: SharedInformer<Job>;
  private readonly podInformer: SharedInformer<Pod>;
  private readonly expectations: ControllerExpectations;
  private readonly podControl: PodControl;
  private readonly recorder: EventRecorder;
  private readonly clock: Clock;
  private readonly onError: (err: unknown) => void;
  /** The sync function, a field so tests can replace it, as in Kubernetes. */
  syncHandler = (key: string) => this.syncJob(key);

  constructor(
    informers: SharedInformerFactory,
    private readonly client: RestClient,
    options: JobControllerOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.onError = options.onError ?? ((err) => console.error('job-controller:', err));
    this.queue = new RateLimitingQueue<string>({ clock: this.clock });
    this.expectations = new ControllerExpectations(this.clock);
    this.recorder = new EventRecorder({
      client,
      component: 'job-controller',
      clock: this.clock,
      onError: eventErrors(this.onError),
    });
    this.podControl = new PodControl(client, this.recorder);
    this.jobInformer = informers.forResource(jobs);
    this.podInformer = informers.forResource(podResource);
    this.jobInformer.addEventHandler({
      onAdd: (job) => this.queue.add(keyOf(job)),
      onUpdate: (_old, job) => this.queue.add(keyOf(job)),
      onDelete: (job) => {
        this.expectations.deleteExpectations(keyOf(job));
        this.queue.add(keyOf(job));
      },
    });
    this.podInformer.addEventHandler({
      onAdd: (pod) => {
        const job = resolveControllerRef(pod, 'Job', this.jobInformer.store);
        if (!job) return;
        if (pod.metadata.deletionTimestamp) this.expectations.deletionObserved(keyOf(job), keyOf(pod));
        else this.expectations.creationObserved(keyOf(job));
        this.queue.add(keyOf(job));
      },
      onUpdate: (oldPod, pod) => {
        if (oldPod.metadata.resourceVersion === pod.metadata.resourceVersion) return;
        const job = resolveControllerRef(pod, 'Job', this.jobInformer.store);
        if (!job) return;
        if (pod.metadata.deletionTimestamp) this.expectations.deletionObserved(keyOf(job), keyOf(pod));
        this.queue.add(keyOf(job));
      },
      onDelete: (pod) => {
        const job = resolveControllerRef(pod, 'Job', this.jobInformer.store);
        if (!job) return;
        this.expectations.deletionObserved(keyOf(job), keyOf(pod));
        this.queue.add(keyOf(job));
      },
    });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    const synced = await Promise.all([
      this.jobInformer.waitForSync(signal),
      this.podInformer.waitForSync(signal),
    ]);
    if (!synced.every(Boolean)) return;
    await runWorkers(this.queue, workers, this.syncHandler, signal, this.onError);
  }

  private async syncJob(key: string): Promise<void> {
    const job = this.jobInformer.store.get(key);
    if (!job) {
      this.expectations.deleteExpectations(key);
      return;
    }
    if (isJobFinished(job) || job.metadata.deletionTimestamp) return;
    const satisfied = this.expectations.satisfiedExpectations(key);
    const [namespace] = splitKey(key);
    const owned = this.podInformer.store
      .byIndex('namespace', namespace)
      .filter((p) => getControllerOf(p)?.uid === job.metadata.uid);
    const active = owned.filter(isPodActive);
    const succeeded = owned.filter((p) => p.status?.phase === 'Succeeded');
    const failed = owned.filter((p) => p.status?.phase === 'Failed');
    const now = this.clock.now();
    const { completions, parallelism = 1, backoffLimit = 6, suspend } = job.spec;

    let finish: Finish | undefined;
    if (failed.length > backoffLimit) finish = backoffLimitExceeded;
    else if (completions !== undefined ? succeeded.length >= completions : succeeded.length > 0)
      finish = completed;

    let manageError: unknown;
    if (finish) {
      // A finished job keeps its finished pods, for their logs; running ones are of no more use.
      await this.deletePods(key, job, active);
    } else if (satisfied) {
      const missing = completions === undefined ? parallelism : completions - succeeded.length;
      const wanted = suspend ? 0 : Math.min(parallelism, missing);
      manageError = await this.manageActive(key, job, active, wanted, succeeded, failed, now).catch(
        (err) => err,
      );
    }

    const status = this.calculateStatus(job, owned, finish, now);
    if (!semanticEqual(status, job.status)) {
      await this.client.resource(jobs, namespace).updateStatus({ ...job, status });
      if (finish)
        await this.recorder.event(job, finish.event.type, finish.event.reason, finish.event.message);
    }
    if (manageError !== undefined) throw manageError;
  }

  /**
   * manageActive creates or deletes pods until `wanted` are active. A replacement for a failed
   * pod waits 10 s, doubling with each failure since the last success, so a crashing job does
   * not spin; the key comes back when the wait is over.
   */
  private async manageActive(
    key: string,
    job: Job,
    active: Pod[],
    wanted: number,
    succeeded: Pod[],
    failed: Pod[],
    now: number,
  ): Promise<void> {
    const diff = wanted - active.length;
    if (diff < 0) {
      await this.deletePods(key, job, sortPodsToDelete(active, active).slice(0, -diff));
      return;
    }
    if (diff === 0) return;
    const lastSuccess = Math.max(0, ...succeeded.map(finishTime));
    const recentFailures = failed.map(finishTime).filter((t) => t >= lastSuccess);
    if (recentFailures.length > 0) {
      const backoff = Math.min(
        DefaultJobPodFailureBackOffMs * 2 ** (recentFailures.length - 1),
        MaxJobPodFailureBackOffMs,
      );
      const remaining = Math.max(...recentFailures) + backoff - now;
      if (remaining > 0) {
        this.queue.addAfter(key, remaining);
        return;
      }
    }
    const count = Math.min(diff, MaxPodCreateDeletePerSync);
    this.expectations.expectCreations(key, count);
    const { successes, error } = await slowStartBatch(count, () =>
      this.podControl.createPod(job.spec.template, job).catch((err) => {
        if (!isNamespaceTerminating(err)) throw err;
      }),
    );
    for (let skipped = count - successes; skipped > 0; skipped--) this.expectations.creationObserved(key);
    if (error) throw error;
  }

  private async deletePods(key: string, job: Job, pods: Pod[]): Promise<void> {
    if (pods.length === 0) return;
    this.expectations.expectDeletions(key, pods.map(keyOf));
    const results = await Promise.allSettled(
      pods.map(async (pod) => {
        try {
          await this.podControl.deletePod(pod, job);
        } catch (err) {
          this.expectations.deletionObserved(key, keyOf(pod));
          throw err;
        }
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed && !isNotFound(failed.reason)) throw failed.reason;
  }

  private calculateStatus(job: Job, owned: Pod[], finish: Finish | undefined, now: number): Job['status'] {
    const at = formatTime(now);
    const active = owned.filter(isPodActive);
    const failed = owned.filter((p) => p.status?.phase === 'Failed').length;
    const conditions: JobCondition[] = [...(job.status.conditions ?? [])];
    if (finish) {
      for (const type of finish.conditions) {
        conditions.push({
          type,
          status: 'True',
          lastProbeTime: at,
          lastTransitionTime: at,
          reason: finish.reason,
          message: finish.message,
        });
      }
    }
    return {
      ...job.status,
      startTime: job.status.startTime ?? (job.spec.suspend ? undefined : at),
      active: active.length || undefined,
      succeeded: owned.filter((p) => p.status?.phase === 'Succeeded').length || undefined,
      failed: failed || undefined,
      ready: active.filter(isPodReady).length,
      terminating: owned.filter((p) => p.metadata.deletionTimestamp && isTerminating(p)).length,
      uncountedTerminatedPods: {},
      completionTime: finish === completed ? at : job.status.completionTime,
      conditions: conditions.length > 0 ? conditions : undefined,
    };
  }
}

/** A pod being deleted whose containers have not finished yet. */
const isTerminating = (pod: Pod) => pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
