import { describe, expect, it } from 'vitest';
import { deployments, pods } from '../../api/resources.ts';
import { fixture } from '../../api/testdata/fixtures.ts';
import { deployments as deploymentRegistry } from './apps/deployment.ts';
import { podStrategy } from './core/pod/strategy.ts';
import { createAs } from './testing/create.ts';

const deploymentStrategy = deploymentRegistry.strategy!;

describe('strategies', () => {
  it('reset status on create and keep it on update of the main resource', () => {
    const old = createAs(deployments, fixture('kubectl-create-deployment'));
    old.status = { replicas: 2, observedGeneration: 1 };
    const next = structuredClone(old);
    next.status = {};
    next.spec.replicas = 5;
    deploymentStrategy.prepareForUpdate(next, old);
    expect(next.status).toEqual({ replicas: 2, observedGeneration: 1 });
    expect(next.metadata.generation).toBe(2);
  });

  it('do not move the generation for a label change, but do for an annotation change', () => {
    const old = createAs(deployments, fixture('kubectl-create-deployment'));
    const labelled = structuredClone(old);
    labelled.metadata.labels = { app: 'web', team: 'shop' };
    deploymentStrategy.prepareForUpdate(labelled, old);
    expect(labelled.metadata.generation).toBe(1);
    const annotated = structuredClone(old);
    annotated.metadata.annotations = { 'kubernetes.io/change-cause': 'x' };
    deploymentStrategy.prepareForUpdate(annotated, old);
    expect(annotated.metadata.generation).toBe(2);
  });

  it('let the status subresource change status only', () => {
    const old = createAs(pods, fixture('seed-pod'));
    const next = structuredClone(old);
    next.spec.nodeName = 'node-1';
    next.status.phase = 'Running';
    podStrategy.prepareForStatusUpdate?.(next, old);
    expect(next.spec.nodeName).toBeUndefined();
    expect(next.status.phase).toBe('Running');
  });
});
