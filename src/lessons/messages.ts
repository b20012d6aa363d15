import type { Language, Text } from './language.ts';
import type { Feature, FieldMatcher } from './schema.ts';

/** What a Deployment's rollout is doing, as the rollout check reports it. */
export type RolloutState = 'paused' | 'complete' | { readonly updated: number; readonly replicas: number };

/** How many objects a check wants: exactly, or at least. */
export interface Wanted {
  readonly equals?: number;
  readonly atLeast?: number;
}

/**
 * Everything the lessons' engine, checks and renderer say around the lessons' own text, once per
 * language. Kubernetes' words (kinds, fields, reasons, kubectl commands) stay as Kubernetes
 * writes them in every language.
 */
export interface LessonMessages {
  /** Time spent, `4m 05s`. */
  duration(minutes: number, seconds: number): string;
  /** The lesson list's estimate. */
  minutes(n: number): string;
  readonly status: {
    readonly new: string;
    inProgress(done: number, total: number): string;
    readonly done: string;
  };
  readonly noLesson: string;
  stepOf(n: number, total: number): string;
  readonly objectives: string;
  readonly underTheHood: string;
  seeItIn(views: readonly string[]): string;
  complete(duration: string): string;
  /** `Hint 2`, or `Hint` alone. */
  hint(n?: number): string;
  readonly stuck: string;
  readonly whichLesson: string;
  readonly noMoreHints: string;
  reset(id: string): string;
  unknownAction(action: string, actions: readonly string[]): string;
  noSuchLesson(id: string): string;
  lessonNeeds(id: string, needs: string): string;
  namespaceStillDeleting(name: string): string;
  readonly features: Readonly<Record<Feature, string>>;
  readonly loading: string;
  couldNotLoad(error: string): string;
  noKubeconfig(path: string): string;
  readonly check: CheckMessages;
}

/** What a check saw, pass or fail. */
export interface CheckMessages {
  couldNotCheck(error: string): string;
  matcher(m: FieldMatcher): string;
  objects(o: {
    readonly kind: string;
    readonly name?: string;
    readonly selector?: string;
    readonly matching: number;
    readonly conditions: readonly string[];
    readonly wanted: Wanted;
  }): string;
  /** Why the nearest object failed; `found` is undefined when nothing is at the path. */
  nearestMiss(name: string, path: string, found: string | undefined): string;
  deploymentNotFound(name: string): string;
  rollout(name: string, revision: number, want: number, state: RolloutState): string;
  events(o: {
    readonly reason: string;
    readonly kind?: string;
    readonly name?: string;
    readonly seen: number;
    readonly atLeast: number;
  }): string;
  outsideRegistry(key: string): string;
  noSuchKey(key: string): string;
  stillThere(key: string, revision: number): string;
  keyMismatch(key: string, revision: number, want: string, found: string | undefined): string;
  keyAt(key: string, revision: number): string;
  readonly noAddressYet: string;
  noAnswer(error: string): string;
  answered(where: string, expect: string): string;
  ingressNoAddress(name: string): string;
  serviceNoAddress(name: string, via: string): string;
  logShows(where: string, pattern: string): string;
  logNotYet(where: string, pattern: string): string;
  readonly uiOnly: string;
  readonly typed: string;
  waitingForTyped(pattern: string): string;
}

const en: LessonMessages = {
  duration: (m, s) => (m ? `${m}m ${String(s).padStart(2, '0')}s` : `${s}s`),
  minutes: (n) => `${n} min`,
  status: { new: 'new', inProgress: (done, total) => `in progress (${done}/${total})`, done: 'done' },
  noLesson: "No lesson started: 'lesson list' shows them, 'lesson start 1' begins.",
  stepOf: (n, total) => `step ${n}/${total}`,
  objectives: 'Objectives:',
  underTheHood: 'Under the hood',
  seeItIn: (views) => `See it in: ${views.join(', ')}`,
  complete: (duration) => `Lesson complete in ${duration}. 'lesson next' starts the next one.`,
  hint: (n) => (n === undefined ? 'Hint' : `Hint ${n}`),
  stuck: "Stuck? 'lesson hint' shows a hint.",
  whichLesson: 'Which lesson? lesson start ID (a number or an id from lesson list)',
  noMoreHints: 'No more hints for this step.',
  reset: (id) => `Lesson ${id} reset: what it made is deleted and its progress forgotten.`,
  unknownAction: (action, actions) => `lesson ${action}: unknown; try ${actions.join(', ')}`,
  noSuchLesson: (id) => `no lesson ${id}; 'orch-lab lesson list' shows them`,
  lessonNeeds: (id, needs) => `lesson ${id} ${needs}`,
  namespaceStillDeleting: (name) => `namespace ${name} is still being deleted after 60 s`,
  features: {
    services: "needs Services: cluster DNS and kube-proxy, which 'orch-lab up' installs on a lab with nodes",
    ingress: "needs an Ingress controller, which 'orch-lab up' installs on a lab with nodes",
    etcd: "needs the store's etcd face (orch-lab's own lab has one; other clusters do not)",
  },
  loading: 'Loading lessons…',
  couldNotLoad: (error) => `Lessons could not load: ${error}`,
  noKubeconfig: (path) => `no kubeconfig at ${path}: start the lab with 'orch-lab up'`,
  check: {
    couldNotCheck: (error) => `could not check: ${error}`,
    matcher: (m) =>
      m.equals !== undefined
        ? `${m.path} = ${String(m.equals)}`
        : m.matches !== undefined
          ? `${m.path} matches /${m.matches}/`
          : `${m.path} ≥ ${m.atLeast}`,
    objects: (o) => {
      const what = o.name ? `${o.kind} ${o.name}` : `${o.kind}s${o.selector ? ` (${o.selector})` : ''}`;
      const seen = o.conditions.length ? `with ${o.conditions.join(', ')}` : 'found';
      const wanted = o.wanted.equals !== undefined ? `${o.wanted.equals}` : `at least ${o.wanted.atLeast}`;
      return `${what}: ${o.matching} ${seen}, want ${wanted}`;
    },
    nearestMiss: (name, path, found) => `; ${name} has ${path} = ${found ?? 'nothing'}`,
    deploymentNotFound: (name) => `deployment ${name} not found`,
    rollout: (name, revision, want, state) =>
      `deployment ${name}: revision ${revision} (want ${want}), rollout ${
        typeof state === 'string' ? state : `${state.updated}/${state.replicas} updated`
      }`,
    events: (o) => {
      const about = o.name ? ` about ${o.kind ? `${o.kind} ` : ''}${o.name}` : '';
      return `${o.seen} ${o.reason} event(s)${about}, want at least ${o.atLeast}`;
    },
    outsideRegistry: (key) => `${key} is outside /registry, and this cluster has no etcd face here`,
    noSuchKey: (key) => `${key}: no such key`,
    stillThere: (key, revision) => `${key} is still there (revision ${revision})`,
    keyMismatch: (key, revision, want, found) =>
      `${key} (revision ${revision}): want ${want}, found ${found ?? 'nothing'}`,
    keyAt: (key, revision) => `${key} at revision ${revision}`,
    noAddressYet: 'no address yet',
    noAnswer: (error) => `(no answer: ${error})`,
    answered: (where, expect) => `${where} answered with "${expect}"`,
    ingressNoAddress: (name) => `ingress ${name} has no address yet`,
    serviceNoAddress: (name, via) => `service ${name} has no address for ${via} yet`,
    logShows: (where, pattern) => `the log of ${where} shows /${pattern}/`,
    logNotYet: (where, pattern) => `the log of ${where} does not show /${pattern}/ yet`,
    uiOnly: 'checked in the terminal UI only: type the command at its prompt',
    typed: 'typed',
    waitingForTyped: (pattern) => `waiting for a command like /${pattern}/ at the prompt`,
  },
};

// Korean as a Korean engineer writes documentation: plain 한다 style or a noun ending, and a space
// between an English word and its particle, as the seed notes write them.
const ko: LessonMessages = {
  duration: (m, s) => (m ? `${m}분 ${String(s).padStart(2, '0')}초` : `${s}초`),
  minutes: (n) => `${n}분`,
  status: { new: '시작 전', inProgress: (done, total) => `진행 중 (${done}/${total})`, done: '완료' },
  noLesson: "시작한 레슨이 없다. 'lesson list' 로 목록을 보고 'lesson start 1' 로 시작한다.",
  stepOf: (n, total) => `${n}/${total} 단계`,
  objectives: '학습 목표:',
  underTheHood: '내부 동작',
  seeItIn: (views) => `살펴볼 화면: ${views.join(', ')}`,
  complete: (duration) => `레슨 완료 (${duration}). 'lesson next' 로 다음 레슨을 시작한다.`,
  hint: (n) => (n === undefined ? '힌트' : `힌트 ${n}`),
  stuck: "막히면 'lesson hint' 로 힌트를 하나씩 본다.",
  whichLesson: '시작할 레슨을 지정한다: lesson start ID (lesson list 의 번호 또는 id)',
  noMoreHints: '이 단계의 힌트는 더 없다.',
  reset: (id) => `레슨 ${id} 초기화: 레슨에서 만든 것을 삭제하고 진행 기록을 지웠다.`,
  unknownAction: (action, actions) =>
    `lesson ${action}: 없는 명령이다. ${actions.join(', ')} 중 하나를 쓴다.`,
  noSuchLesson: (id) => `레슨 ${id} 없음: 'orch-lab lesson list' 로 목록을 본다`,
  lessonNeeds: (id, needs) => `레슨 ${id}: ${needs}`,
  namespaceStillDeleting: (name) => `namespace ${name}: 60초가 지났지만 아직 삭제 중이다`,
  features: {
    services:
      "Service 가 필요하다: cluster DNS 와 kube-proxy 는 node 가 있는 lab 에 'orch-lab up' 이 설치한다",
    ingress: "Ingress controller 가 필요하다: node 가 있는 lab 에 'orch-lab up' 이 설치한다",
    etcd: '저장소의 etcd API 가 필요하다 (orch-lab 의 lab 에는 있고 다른 클러스터에는 없다)',
  },
  loading: '레슨을 불러오는 중…',
  couldNotLoad: (error) => `레슨을 불러오지 못했다: ${error}`,
  noKubeconfig: (path) => `${path} 에 kubeconfig 가 없다: 'orch-lab up' 으로 lab 을 먼저 시작한다`,
  check: {
    couldNotCheck: (error) => `확인하지 못했다: ${error}`,
    matcher: (m) =>
      m.equals !== undefined
        ? `${m.path} = ${String(m.equals)}`
        : m.matches !== undefined
          ? `${m.path} =~ /${m.matches}/`
          : `${m.path} ≥ ${m.atLeast}`,
    objects: (o) => {
      const what = o.name ? `${o.kind} ${o.name}` : `${o.kind}${o.selector ? ` (${o.selector})` : ''}`;
      const seen = o.conditions.length ? `조건(${o.conditions.join(', ')})에 맞는 것 ` : '';
      const wanted = o.wanted.equals !== undefined ? `${o.wanted.equals}개` : `${o.wanted.atLeast}개 이상`;
      return `${what}: ${seen}${o.matching}개, ${wanted} 필요`;
    },
    nearestMiss: (name, path, found) => `; ${name} 의 ${path} = ${found ?? '없음'}`,
    deploymentNotFound: (name) => `Deployment ${name} 없음`,
    rollout: (name, revision, want, state) =>
      `Deployment ${name}: revision ${revision} (${want} 필요), rollout ${
        state === 'paused'
          ? '일시 중지됨'
          : state === 'complete'
            ? '완료'
            : `${state.updated}/${state.replicas} 업데이트됨`
      }`,
    events: (o) => {
      const about = o.name ? `${o.kind ? `${o.kind} ` : ''}${o.name} 의 ` : '';
      return `${about}${o.reason} Event ${o.seen}개, ${o.atLeast}개 이상 필요`;
    },
    outsideRegistry: (key) =>
      `${key}: /registry 밖의 key 는 etcd API 로 읽는데, 이 클러스터에서는 쓸 수 없다`,
    noSuchKey: (key) => `${key}: key 없음`,
    stillThere: (key, revision) => `${key}: 아직 남아 있음 (revision ${revision})`,
    keyMismatch: (key, revision, want, found) =>
      `${key} (revision ${revision}): ${want} 필요, 실제로는 ${found ?? '없음'}`,
    keyAt: (key, revision) => `${key}: revision ${revision}`,
    noAddressYet: '아직 주소가 없다',
    noAnswer: (error) => `(응답 없음: ${error})`,
    answered: (where, expect) => `${where}: "${expect}" 응답 확인`,
    ingressNoAddress: (name) => `Ingress ${name}: 아직 주소가 없다`,
    serviceNoAddress: (name, via) => `Service ${name}: 아직 ${via} 주소가 없다`,
    logShows: (where, pattern) => `${where} 의 log 에 /${pattern}/ 가 보인다`,
    logNotYet: (where, pattern) => `${where} 의 log 에 아직 /${pattern}/ 가 없다`,
    uiOnly: '터미널 UI 에서만 확인한다: UI 의 prompt 에 명령을 입력한다',
    typed: '입력 확인',
    waitingForTyped: (pattern) => `prompt 에 /${pattern}/ 같은 명령이 입력되기를 기다리는 중`,
  },
};

export const MESSAGES: Readonly<Record<Language, LessonMessages>> = { en, ko };

/** One message in every language. */
export const say = (message: (m: LessonMessages) => string): Text => ({
  en: message(MESSAGES.en),
  ko: message(MESSAGES.ko),
});

/**
 * An error the learner reads (no such lesson, a lesson the cluster cannot run): its message is the
 * English text; runLessonCommand answers with `text` in the learner's language.
 */
export class LessonError extends Error {
  constructor(readonly text: Text) {
    super(text.en);
    this.name = 'LessonError';
  }
}
