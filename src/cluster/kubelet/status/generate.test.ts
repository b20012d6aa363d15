import { describe, expect, it } from 'vitest';
import type { ContainerStatus, Pod } from '../../api/core/pod.ts';
import { podPhase } from './generate.ts';

const pod = (restartPolicy: string) => ({ spec: { restartPolicy, containers: [] } }) as unknown as Pod;
const status = (state: ContainerStatus['state'], lastState: ContainerStatus['lastState'] = {}) =>
  ({
    name: 'c',
    state,
    lastState,
    ready: false,
    restartCount: 0,
    image: 'x',
    imageID: '',
  }) as ContainerStatus;
const running = status({ running: { startedAt: 'now' } });
const exited = (exitCode: number) => status({ terminated: { exitCode } });
const crashLooping = status({ waiting: { reason: 'CrashLoopBackOff' } }, { terminated: { exitCode: 1 } });
const creating = status({ waiting: { reason: 'ContainerCreating' } });

describe('podPhase', () => {
  it('is Pending while a container has never run, or an init container has not succeeded', () => {
    expect(podPhase(pod('Always'), [], [running, creating])).toBe('Pending');
    expect(podPhase(pod('Always'), [running], [creating])).toBe('Pending');
    expect(podPhase(pod('Never'), [exited(1)], [creating])).toBe('Failed');
  });

  it('is Running while a container runs or will be restarted', () => {
    expect(podPhase(pod('Always'), [exited(0)], [running])).toBe('Running');
    expect(podPhase(pod('Always'), [], [crashLooping])).toBe('Running');
    expect(podPhase(pod('Always'), [], [exited(0)])).toBe('Running');
    expect(podPhase(pod('OnFailure'), [], [exited(1)])).toBe('Running');
  });

  it('ends Succeeded or Failed by the exit codes once nothing will restart', () => {
    expect(podPhase(pod('OnFailure'), [], [exited(0), exited(0)])).toBe('Succeeded');
    expect(podPhase(pod('Never'), [], [exited(0), exited(2)])).toBe('Failed');
  });
});
