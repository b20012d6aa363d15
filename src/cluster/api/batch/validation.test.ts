import { describe, expect, it } from 'vitest';
import { createAs } from '../../apiserver/registry/testing/create.ts';
import { fieldErrorString } from '../field-error.ts';
import { jobs } from '../resources.ts';
import type { Job } from './job.ts';
import { validateJob, validateJobUpdate } from './validation.ts';

const uid = '6f1c1d39-6ad4-4c1b-9d3e-0d7c1f3c2a11';

/** What `kubectl create job hello --image=busybox -- echo hi` sends (v1.32), with the uid the server gives it. */
function kubectlCreateJob(): unknown {
  return {
    kind: 'Job',
    apiVersion: 'batch/v1',
    metadata: { name: 'hello', creationTimestamp: null, uid },
    spec: {
      template: {
        metadata: { creationTimestamp: null },
        spec: {
          containers: [{ name: 'hello', image: 'busybox', command: ['echo', 'hi'], resources: {} }],
          restartPolicy: 'Never',
        },
      },
    },
    status: {},
  };
}

function job(
  patch: (body: { spec: Record<string, unknown> } & Record<string, unknown>) => void = () => {},
): Job {
  const body = kubectlCreateJob() as { spec: Record<string, unknown> } & Record<string, unknown>;
  patch(body);
  const j = createAs(jobs, body);
  j.metadata.namespace = 'default';
  j.metadata.resourceVersion = '1';
  return j;
}

const text = (j: Job, old?: Job) => (old ? validateJobUpdate(j, old) : validateJob(j)).map(fieldErrorString);
const generatedLabels = {
  'batch.kubernetes.io/controller-uid': uid,
  'batch.kubernetes.io/job-name': 'hello',
  'controller-uid': uid,
  'job-name': 'hello',
};

describe('Job defaults', () => {
  it('gives kubectl create job one completion, one at a time, six retries and a generated selector', () => {
    const j = job();
    expect(j.spec).toMatchObject({
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      suspend: false,
      manualSelector: false,
      podReplacementPolicy: 'TerminatingOrFailed',
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
    });
    expect(j.spec.template.metadata.labels).toEqual(generatedLabels);
    expect(j.metadata.labels).toEqual(generatedLabels);
    expect(j.spec.template.spec).toMatchObject({ restartPolicy: 'Never', dnsPolicy: 'ClusterFirst' });
    expect(j.status).toEqual({});
    expect(text(j)).toEqual([]);
  });

  it('leaves completions unset when only parallelism is given: a work queue', () => {
    const j = job((b) => {
      b.spec.parallelism = 3;
    });
    expect(j.spec.completions).toBeUndefined();
    expect(j.spec.parallelism).toBe(3);
  });
});

describe('Job validation', () => {
  it('requires restartPolicy Never or OnFailure', () => {
    const j = job((b) => {
      (b.spec.template as { spec: Record<string, unknown> }).spec.restartPolicy = undefined;
    });
    expect(j.spec.template.spec.restartPolicy).toBe('Always');
    expect(text(j)).toEqual([
      'spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
    ]);
  });

  it('refuses negative counts', () => {
    const j = job((b) => {
      b.spec.completions = -1;
      b.spec.backoffLimit = -2;
    });
    expect(text(j)).toEqual([
      'spec.completions: Invalid value: -1: must be greater than or equal to 0',
      'spec.backoffLimit: Invalid value: -2: must be greater than or equal to 0',
    ]);
  });

  it('refuses a generated label the user overrode, and a selector of its own without manualSelector', () => {
    const j = job((b) => {
      b.spec.template = {
        metadata: { labels: { 'job-name': 'other' } },
        spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] },
      };
      b.spec.selector = { matchLabels: { 'job-name': 'other' } };
    });
    expect(text(j)).toEqual([
      `spec.template.metadata.labels[job-name]: Invalid value: map[string]string{"batch.kubernetes.io/controller-uid":"${uid}", "batch.kubernetes.io/job-name":"hello", "controller-uid":"${uid}", "job-name":"other"}: must be 'hello'`,
      `spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"batch.kubernetes.io/controller-uid":"${uid}", "job-name":"other"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: \`selector\` not auto-generated`,
    ]);
  });

  it('keeps the selector, the template and completions of a created job', () => {
    const old = job();
    const changed = structuredClone(old);
    changed.spec.completions = 2;
    changed.spec.template.spec.containers[0]!.image = 'busybox:1.36';
    expect(text(changed, old).map((e) => e.replace(/: Invalid value: .*:/, ':'))).toEqual([
      'spec.template: field is immutable',
      'spec.completions: field is immutable',
    ]);
    expect(text(structuredClone(old), old)).toEqual([]);
  });
});
