import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../src/cluster/api/batch/job.ts';
import { jobs, pods } from '../../src/cluster/api/resources.ts';
import { startTestLab, type TestLab } from '../support/lab.ts';
import { eventually, ownedBy } from './support.ts';

// The job controller on one process node (19): real pods run to completion, real kubectl drives it.

describe('Job controller', () => {
  let lab: TestLab;

  beforeAll(async () => {
    lab = await startTestLab({ nodes: { count: 1, firstNode: 19 } });
  }, 60_000);
  afterAll(async () => {
    await lab?.stop();
  }, 60_000);

  const kubectlOk = async (args: string[]) => {
    const r = await lab.kubectl(args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return r.stdout;
  };
  const getJob = (name: string) => lab.client.resource(jobs, 'default').get(name);
  const podsOf = async (job: Job) =>
    (await lab.client.resource(pods, 'default').list()).items.filter((p) => ownedBy(p, job.metadata.uid));
  const finished = (name: string, type: 'Complete' | 'Failed') =>
    eventually(
      async () => {
        const job = await getJob(name);
        return job.status.conditions?.some((c) => c.type === type && c.status === 'True') ? job : undefined;
      },
      `job ${name} to be ${type}`,
      90_000,
    );

  it('runs kubectl create job to completion: wait, get, logs, describe', async () => {
    expect(await kubectlOk(['create', 'job', 'hello', '--image=busybox', '--', 'echo', 'hi'])).toBe(
      'job.batch/hello created\n',
    );
    expect(await kubectlOk(['wait', '--for=condition=complete', 'job/hello', '--timeout=90s'])).toBe(
      'job.batch/hello condition met\n',
    );

    const job = await getJob('hello');
    const uid = job.metadata.uid ?? '';
    expect(job.spec).toMatchObject({
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      manualSelector: false,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
    });
    const generated = {
      'batch.kubernetes.io/controller-uid': uid,
      'batch.kubernetes.io/job-name': 'hello',
      'controller-uid': uid,
      'job-name': 'hello',
    };
    expect(job.spec.template.metadata.labels).toEqual(generated);
    expect(job.metadata.labels).toEqual(generated);
    expect(job.status).toMatchObject({ succeeded: 1, ready: 0 });
    expect(job.status.active).toBeUndefined();
    expect(Date.parse(job.status.completionTime ?? '')).toBeGreaterThanOrEqual(
      Date.parse(job.status.startTime ?? ''),
    );
    expect(job.status.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['SuccessCriteriaMet', 'True', 'CompletionsReached'],
      ['Complete', 'True', 'CompletionsReached'],
    ]);

    const table = (await kubectlOk(['get', 'jobs'])).split('\n');
    expect(table[0]).toMatch(/^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE$/);
    expect(table[1]).toMatch(/^hello\s+Complete\s+1\/1\s+\d+s\s+\d+s$/);
    const wide = (await kubectlOk(['get', 'jobs', '-o', 'wide'])).split('\n');
    expect(wide[0]).toMatch(/CONTAINERS\s+IMAGES\s+SELECTOR$/);
    expect(wide[1]).toMatch(new RegExp(`\\shello\\s+busybox\\s+batch.kubernetes.io/controller-uid=${uid}$`));

    expect(await kubectlOk(['logs', 'job/hello'])).toBe('hi\n');

    const [pod] = await podsOf(job);
    expect(pod?.status?.phase).toBe('Succeeded');
    expect(pod?.metadata.name).toMatch(/^hello-[a-z0-9]{5}$/);
    const described = await kubectlOk(['describe', 'job', 'hello']);
    expect(described).toMatch(/Pods Statuses:\s+0 Active \(0 Ready\) \/ 1 Succeeded \/ 0 Failed/);
    expect(described).toMatch(
      new RegExp(`Normal\\s+SuccessfulCreate\\s+.*job-controller\\s+Created pod: ${pod?.metadata.name}`),
    );
    expect(described).toMatch(/Normal\s+Completed\s+.*job-controller\s+Job completed/);

    expect(await kubectlOk(['delete', 'job', 'hello'])).toBe('job.batch "hello" deleted\n');
    await eventually(
      async () => ((await podsOf(job)).length === 0 ? true : undefined),
      'the job pods to be collected',
      30_000,
    );
  }, 120_000);

  it('runs completions 3 with parallelism 2 to three succeeded pods', async () => {
    const manifest = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'three' },
      spec: {
        completions: 3,
        parallelism: 2,
        template: {
          spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['true'] }] },
        },
      },
    };
    const r = await lab.kubectl(['create', '-f', '-'], { input: JSON.stringify(manifest) });
    expect(r.stdout).toBe('job.batch/three created\n');
    const job = await finished('three', 'Complete');
    expect(job.status).toMatchObject({ succeeded: 3 });
    const owned = await podsOf(job);
    expect(owned.map((p) => p.status?.phase)).toEqual(['Succeeded', 'Succeeded', 'Succeeded']);
    const row = (await kubectlOk(['get', 'job', 'three', '--no-headers'])).trim();
    expect(row).toMatch(/^three\s+Complete\s+3\/3\s/);
  }, 120_000);

  it('fails a job whose pods keep failing once backoffLimit is exceeded', async () => {
    const manifest = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'broken' },
      spec: {
        backoffLimit: 1,
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'exit 1'] }],
          },
        },
      },
    };
    const r = await lab.kubectl(['create', '-f', '-'], { input: JSON.stringify(manifest) });
    expect(r.stdout).toBe('job.batch/broken created\n');
    const job = await finished('broken', 'Failed');
    expect(job.status.failed).toBe(2);
    expect(job.status.completionTime).toBeUndefined();
    const failedCondition = job.status.conditions?.find((c) => c.type === 'Failed');
    expect(failedCondition).toMatchObject({
      reason: 'BackoffLimitExceeded',
      message: 'Job has reached the specified backoff limit',
    });
    const owned = await podsOf(job);
    expect(owned.map((p) => p.status?.phase)).toEqual(['Failed', 'Failed']);
    const row = (await kubectlOk(['get', 'job', 'broken', '--no-headers'])).trim();
    expect(row).toMatch(/^broken\s+Failed\s+0\/1\s/);
  }, 120_000);

  it('refuses a job whose pods would restart Always, in Kubernetes words', async () => {
    const r = await lab.kubectl(['create', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'always' },
        spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
      }),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'The Job "always" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"\n',
    );
  });
});
