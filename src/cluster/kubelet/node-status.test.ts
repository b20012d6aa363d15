import { describe, expect, it } from 'vitest';
import { runtimeProblem } from './node-status.ts';

describe('runtimeProblem', () => {
  const ready = (type: string) => ({ type, status: true, reason: '', message: '' });

  it('is none when CRI Status says RuntimeReady and NetworkReady', () => {
    expect(runtimeProblem([ready('RuntimeReady'), ready('NetworkReady')])).toBeUndefined();
  });

  it('words a runtime that is down or has no network as the kubelet does', () => {
    expect(runtimeProblem([])).toBe('container runtime is down');
    const noNetwork = {
      type: 'NetworkReady',
      status: false,
      reason: 'NetworkPluginNotReady',
      message: 'Network plugin returns error: cni plugin not initialized',
    };
    expect(runtimeProblem([ready('RuntimeReady'), noNetwork])).toBe(
      'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
    );
  });
});
