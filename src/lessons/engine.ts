import type { KubeObject } from '../cluster/api/meta.ts';
import { namespaces, type ResourceType } from '../cluster/api/resources.ts';
import { isAlreadyExists, isNotFound, type RestClient } from '../cluster/client/rest-client.ts';
import type { EventHandlerRegistration, SharedInformer } from '../cluster/client/shared-informer.ts';
import { type Clock, systemClock, type Timer } from '../cluster/clock/clock.ts';
import type { KV } from '../cluster/etcd/kv.ts';
import { type CheckResult, evaluate, needsPolling, resourceOf, watchedBy } from './checks.ts';
import type { Text } from './language.ts';
import type { LoadedLesson } from './loader.ts';
import { LessonError, say } from './messages.ts';
import type { LessonProgress, Progress, ProgressData } from './progress.ts';
import type { Cleanup, Feature, Step } from './schema.ts';

export interface LessonEngineOptions {
  readonly lessons: readonly LoadedLesson[];
  readonly client: RestClient;
  readonly progress: Progress;
  /** Features the cluster has: detectFeatures (features.ts) finds them. */
  readonly features: ReadonlySet<Feature>;
  /** The store's etcd face, for store keys outside /registry. */
  readonly etcd?: Pick<KV, 'range'>;
  /** Informers to re-check on; without them (the CLI) checks run only when asked. */
  readonly informer?: <T extends KubeObject>(type: ResourceType<T>) => SharedInformer<T>;
  /** Whether typed commands reach the engine (the terminal UI): `typed` checks need it. */
  readonly seesTyped?: boolean;
  readonly clock?: Clock;
  /** How often checks that nothing watches (HTTP, logs, raw store keys) are polled; 1 s unless given. */
  readonly pollMs?: number;
}

/** Where the learner stands in a lesson: what the UI and the CLI print. */
export interface LessonState {
  readonly lesson: LoadedLesson;
  readonly progress: LessonProgress;
  /** The step to do now; undefined once every step is green. */
  readonly step?: Step;
  readonly stepIndex: number;
  /** The current step's checks, as last evaluated. */
  readonly results: readonly CheckResult[];
  /** The hints shown so far for the current step. */
  readonly hints: readonly Text[];
}

/** A lesson in the list, with the learner's standing and what the cluster lacks for it. */
export interface LessonEntry {
  readonly lesson: LoadedLesson;
  readonly status: 'new' | 'in progress' | 'done';
  readonly stepsDone: number;
  readonly missing: readonly Feature[];
}

/**
 * LessonEngine runs lessons against a cluster: it starts and resets them, evaluates the current
 * step's checks, marks green steps in the learner's progress and moves on. With informers it
 * re-checks by itself whenever a watched resource changes (and polls what no watch covers), so a
 * step turns green as soon as the cluster gets there. The terminal UI and `orch-lab lesson` share it.
 */
export class LessonEngine {
  private readonly clock: Clock;
  private readonly features: ReadonlySet<Feature>;
  private readonly listeners = new Set<(state: LessonState | undefined) => void>();
  /** Lines typed since the current step began. */
  private typedLines: string[] = [];
  private registrations: EventHandlerRegistration[] = [];
  private pollTimer: Timer | undefined;
  private pending: Timer | undefined;
  private running: Promise<LessonState | undefined> | undefined;
  private queued: Promise<LessonState | undefined> | undefined;
  private watching = false;
  /** The lesson/step the watches are set up for. */
  private watchedStep: string | undefined;
  private last: LessonState | undefined;

  constructor(private readonly options: LessonEngineOptions) {
    this.clock = options.clock ?? systemClock;
    this.features = options.features;
  }

  get lessons(): readonly LoadedLesson[] {
    return this.options.lessons;
  }

  /** The lesson with this id, or the lesson numbered so (`3` or `03`). */
  find(id: string): LoadedLesson {
    const byNumber = /^\d+$/.test(id) ? this.lessons[Number(id) - 1] : undefined;
    const lesson = byNumber ?? this.lessons.find((l) => l.id === id);
    if (!lesson) throw new LessonError(say((m) => m.noSuchLesson(id)));
    return lesson;
  }

  missing(lesson: LoadedLesson): Feature[] {
    return missingFeatures(lesson, this.features);
  }

  async list(): Promise<LessonEntry[]> {
    return lessonEntries(this.lessons, await this.options.progress.read(), this.features);
  }

  /** Makes `id` the current lesson and its namespace; progress already made is kept. */
  async start(id: string): Promise<LessonState> {
    const lesson = this.find(id);
    const missing = this.missing(lesson);
    if (missing.length) {
      throw new LessonError(
        say((m) => m.lessonNeeds(lesson.id, missing.map((f) => m.features[f]).join('; '))),
      );
    }
    if (lesson.namespace) {
      await this.options.client
        .resource(namespaces)
        .create({
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: lesson.namespace, labels: { 'orch-lab/lesson': lesson.id } },
          spec: {},
          status: {},
        })
        .catch((err) => {
          if (!isAlreadyExists(err)) throw err;
        });
    }
    await this.options.progress.update(lesson.id, this.now(), (_, data) => {
      data.current = lesson.id;
    });
    this.typedLines = [];
    this.last = undefined;
    const state = await this.check();
    return state!;
  }

  /** The current lesson as last seen, without checking; undefined when none is started. */
  async state(): Promise<LessonState | undefined> {
    const data = await this.options.progress.read();
    if (!data.current) return undefined;
    const lesson = this.find(data.current);
    const progress = data.lessons[lesson.id];
    if (!progress) return undefined;
    const stepIndex = progress.done.length;
    const step = lesson.steps[stepIndex];
    const same = this.last?.lesson.id === lesson.id && this.last.stepIndex === stepIndex;
    return {
      lesson,
      progress,
      step,
      stepIndex,
      results: same ? this.last!.results : [],
      hints: step ? step.hints.slice(0, progress.hints[step.id] ?? 0) : [],
    };
  }

  /**
   * Evaluates the current step; a green step is recorded and the next one evaluated at once, so
   * work done ahead counts. A call made during a run gets the run after it, which sees every
   * change made before the call.
   */
  check(): Promise<LessonState | undefined> {
    if (!this.running) {
      this.running = this.runChecks().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    // The run under way may have read the progress before the caller's change: one more follows it.
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.check();
      });
    return this.queued;
  }

  private async runChecks(): Promise<LessonState | undefined> {
    for (;;) {
      const state = await this.state();
      if (!state?.step) return this.publish(state);
      const ctx = {
        client: this.options.client,
        namespace: state.lesson.namespace ?? 'default',
        etcd: this.options.etcd,
        typed: this.options.seesTyped ? this.typedLines : undefined,
      };
      const results = await Promise.all(state.step.check.map((c) => evaluate(c, ctx)));
      if (!results.every((r) => r.ok)) return this.publish({ ...state, results });
      const step = state.step;
      await this.options.progress.update(state.lesson.id, this.now(), (p) => {
        if (!p.done.includes(step.id)) p.done.push(step.id);
        if (p.done.length === state.lesson.steps.length) p.completedAt ??= this.now().toISOString();
      });
      this.typedLines = [];
      this.last = undefined;
    }
  }

  /**
   * What comes next: the current step while the lesson is unfinished, else the following lesson
   * this cluster can run, started. Undefined when no lesson is started or none is left.
   */
  async next(): Promise<LessonState | undefined> {
    const state = await this.check();
    if (!state || state.step) return state;
    const after = this.lessons.slice(this.lessons.indexOf(state.lesson) + 1);
    const following = after.find((l) => this.missing(l).length === 0);
    return following ? this.start(following.id) : undefined;
  }

  /** Shows the next hint of the current step; undefined when there is none left. */
  async hint(): Promise<Text | undefined> {
    const state = await this.state();
    const step = state?.step;
    if (!state || !step) return undefined;
    const shown = state.progress.hints[step.id] ?? 0;
    if (shown >= step.hints.length) return undefined;
    await this.options.progress.update(state.lesson.id, this.now(), (p) => {
      p.hints[step.id] = shown + 1;
    });
    await this.check();
    return step.hints[shown];
  }

  /** Tells the engine a line the learner typed at the prompt, and re-checks. */
  typed(line: string): void {
    this.typedLines.push(line.trim());
    this.schedule();
  }

  /**
   * Removes what a lesson made (its namespace, its clean-up list and every step's) and forgets its
   * progress. With `wait`, returns once the namespace is gone, so the lesson can start again.
   */
  async reset(id: string, options: { wait?: boolean } = {}): Promise<void> {
    const lesson = this.find(id);
    const cleanups = [...lesson.steps.flatMap((s) => s.cleanup), ...lesson.cleanup];
    for (const cleanup of cleanups) await this.clean(cleanup, lesson.namespace ?? 'default');
    if (lesson.namespace) await this.deleteNamespace(lesson.namespace, options.wait ?? true);
    await this.options.progress.forget(lesson.id);
    this.typedLines = [];
    this.last = undefined;
    await this.check();
  }

  /**
   * Re-checks whenever a resource the current step reads changes, and polls the checks no watch
   * covers, until `signal` aborts; `listener` hears every new state.
   */
  subscribe(listener: (state: LessonState | undefined) => void): () => void {
    this.listeners.add(listener);
    if (!this.watching) {
      this.watching = true;
      void this.check();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopWatching();
    };
  }

  private publish(state: LessonState | undefined): LessonState | undefined {
    this.last = state;
    const step = state ? `${state.lesson.id}/${state.stepIndex}` : '';
    if (this.watching && step !== this.watchedStep) {
      this.watchedStep = step;
      this.watchStep(state);
    }
    for (const listener of this.listeners) listener(state);
    return state;
  }

  /** Watches what the current step's checks read. */
  private watchStep(state: LessonState | undefined): void {
    for (const r of this.registrations) r.remove();
    this.registrations = [];
    this.pollTimer?.cancel();
    this.pollTimer = undefined;
    const checks = state?.step?.check ?? [];
    const informer = this.options.informer;
    if (informer) {
      const types = new Set(checks.flatMap(watchedBy));
      const changed = () => this.schedule();
      for (const type of types) {
        this.registrations.push(
          informer(type).addEventHandler({ onAdd: changed, onUpdate: changed, onDelete: changed }),
        );
      }
    }
    // Without informers everything is polled; with them, only what no watch reports.
    if (checks.some((c) => !informer || needsPolling(c))) {
      const poll = () => {
        this.schedule();
        this.pollTimer = this.clock.setTimeout(poll, this.options.pollMs ?? 1000);
      };
      this.pollTimer = this.clock.setTimeout(poll, this.options.pollMs ?? 1000);
    }
  }

  /** Folds a burst of changes into one check, 100 ms after the first. */
  private schedule(): void {
    if (!this.watching || this.pending) return;
    this.pending = this.clock.setTimeout(() => {
      this.pending = undefined;
      void this.check();
    }, 100);
  }

  private stopWatching(): void {
    this.watching = false;
    this.watchedStep = undefined;
    for (const r of this.registrations) r.remove();
    this.registrations = [];
    this.pollTimer?.cancel();
    this.pending?.cancel();
    this.pending = undefined;
  }

  /** Stops watching; the client and informers belong to the caller. */
  close(): void {
    this.listeners.clear();
    this.stopWatching();
  }

  private async clean(cleanup: Cleanup, namespace: string): Promise<void> {
    const spec = 'delete' in cleanup ? cleanup.delete : cleanup.removeLabel;
    const type = resourceOf(spec.apiVersion, spec.kind);
    const client = this.options.client.resource(type, type.namespaced ? (spec.namespace ?? namespace) : '');
    const ignoreGone = (err: unknown) => {
      if (!isNotFound(err)) throw err;
    };
    if ('delete' in cleanup) {
      const names = cleanup.delete.name
        ? [cleanup.delete.name]
        : (await client.list({ labelSelector: cleanup.delete.selector })).items.map((o) => o.metadata.name!);
      for (const name of names)
        await client.delete(name, { propagationPolicy: 'Background' }).catch(ignoreGone);
      return;
    }
    const key = cleanup.removeLabel.key;
    for (const obj of (await client.list({ labelSelector: key })).items) {
      await client
        .patch(obj.metadata.name!, 'merge', { metadata: { labels: { [key]: null } } })
        .catch(ignoreGone);
    }
  }

  private async deleteNamespace(name: string, wait: boolean): Promise<void> {
    const client = this.options.client.resource(namespaces);
    const gone = await client.delete(name).then(
      () => false,
      (err) => {
        if (isNotFound(err)) return true;
        throw err;
      },
    );
    if (gone || !wait) return;
    const deadline = this.clock.now() + 60_000;
    while (this.clock.now() < deadline) {
      const exists = await client.get(name).then(
        () => true,
        (err) => {
          if (isNotFound(err)) return false;
          throw err;
        },
      );
      if (!exists) return;
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, 500));
    }
    throw new LessonError(say((m) => m.namespaceStillDeleting(name)));
  }

  private now(): Date {
    return new Date(this.clock.now());
  }
}

const missingFeatures = (lesson: LoadedLesson, features: ReadonlySet<Feature>): Feature[] =>
  lesson.requires.filter((f) => !features.has(f));

/** The lessons with the learner's standing in each, and what the cluster lacks for it. */
export function lessonEntries(
  lessons: readonly LoadedLesson[],
  data: ProgressData,
  features: ReadonlySet<Feature>,
): LessonEntry[] {
  return lessons.map((lesson) => {
    const p = data.lessons[lesson.id];
    const status = !p ? 'new' : p.completedAt ? 'done' : 'in progress';
    return { lesson, status, stepsDone: p?.done.length ?? 0, missing: missingFeatures(lesson, features) };
  });
}
