import { describe, expect, it } from 'vitest';
import { createAs } from '../../apiserver/registry/testing/create.ts';
import { fieldErrorString } from '../field-error.ts';
import { deployments, replicaSets } from '../resources.ts';
import { fixture } from '../testdata/fixtures.ts';
import type { Deployment } from './deployment.ts';
import { validateDeployment, validateDeploymentUpdate, validateReplicaSet } from './validation.ts';

function deployment(patch: (d: Deployment) => void = () => {}): Deployment {
  const d = createAs(deployments, fixture('kubectl-create-deployment'));
  d.metadata.namespace = 'default';
  d.metadata.resourceVersion = '1';
  patch(d);
  return d;
}

const text = (d: Deployment, old?: Deployment) =>
  (old ? validateDeploymentUpdate(d, old) : validateDeployment(d)).map(fieldErrorString);

describe('Deployment', () => {
  it('accepts real manifests', () => {
    expect(text(deployment())).toEqual([]);
    const web = createAs(deployments, fixture('web-deployment'));
    expect(validateDeployment(web).map(fieldErrorString)).toEqual([]);
  });

  it('requires the selector to match the template labels', () => {
    const d = deployment((d) => {
      d.spec.selector = { matchLabels: { app: 'api' } };
    });
    expect(text(d)).toEqual([
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    ]);
  });

  it('refuses an empty selector', () => {
    expect(text(deployment((d) => (d.spec.selector = {})))).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
    ]);
  });

  it('checks replicas, restart policy and rollout bounds', () => {
    const d = deployment((d) => {
      d.spec.replicas = -1;
      d.spec.template.spec.restartPolicy = 'Never';
      d.spec.strategy.rollingUpdate = { maxSurge: 0, maxUnavailable: '0%' };
      d.spec.progressDeadlineSeconds = 5;
      d.spec.minReadySeconds = 10;
    });
    expect(text(d)).toEqual([
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"0%"}: may not be 0 when `maxSurge` is 0',
      'spec.progressDeadlineSeconds: Invalid value: 5: must be greater than minReadySeconds',
    ]);
  });

  it('checks percentages and strategy types', () => {
    const bad = deployment(
      (d) => (d.spec.strategy.rollingUpdate = { maxSurge: 'lots', maxUnavailable: '150%' }),
    );
    expect(text(bad)).toEqual([
      `spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"lots"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`,
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%',
    ]);
    const recreate = deployment((d) => (d.spec.strategy.type = 'Recreate'));
    expect(text(recreate)).toEqual([
      "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'",
    ]);
    const unknown = deployment((d) => (d.spec.strategy = { type: 'BlueGreen' }));
    expect(text(unknown)).toEqual([
      'spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"BlueGreen", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate"',
    ]);
  });

  it('keeps the selector immutable', () => {
    const old = deployment();
    const d = deployment((d) => {
      d.spec.selector = { matchLabels: { app: 'web', tier: 'front' } };
      d.spec.template.metadata.labels = { app: 'web', tier: 'front' };
    });
    expect(text(d, old)).toEqual([
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"front"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
  });
});

describe('ReplicaSet', () => {
  it('accepts the replica set from the learner notes', () => {
    const rs = createAs(replicaSets, fixture('seed-replicaset'));
    rs.metadata.namespace = 'default';
    expect(validateReplicaSet(rs)).toEqual([]);
  });

  it('checks replicas and selector', () => {
    const rs = createAs(replicaSets, fixture('seed-replicaset'));
    rs.metadata.namespace = 'default';
    rs.spec.replicas = -3;
    rs.spec.selector = { matchLabels: { type: 'back-end' } };
    expect(validateReplicaSet(rs).map(fieldErrorString)).toEqual([
      'spec.replicas: Invalid value: -3: must be greater than or equal to 0',
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"myapp", "type":"front-end"}: `selector` does not match template `labels`',
    ]);
  });
});
