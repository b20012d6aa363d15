import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { Job } from '../../../api/batch/job.ts';
import { metadata, now, template } from '../testing/workloads.ts';
import { jobConvertor } from './job.ts';

describe('job printer', () => {
  type Input = z.input<typeof Job>;
  const job = (spec: Partial<Input['spec']>, status: Input['status'], extra: Input['metadata'] = {}) =>
    Job.parse({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { ...metadata('pi'), ...extra },
      spec: { selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } }, template, ...spec },
      status,
    });
  const startTime = '2024-05-01T11:50:00Z';

  it('prints how a job ended, succeeded/completions, and start to completion as DURATION', () => {
    const done = job(
      { completions: 3, parallelism: 2 },
      {
        succeeded: 3,
        startTime,
        completionTime: '2024-05-01T11:51:05Z',
        conditions: [{ type: 'Complete', status: 'True' }],
      },
    );
    expect(jobConvertor.cells(done, now)).toEqual([
      'pi',
      'Complete',
      '3/3',
      '65s',
      '15m',
      'web,metrics',
      'nginx:1.25,prom/nginx-exporter:1.1',
      'batch.kubernetes.io/controller-uid=u1',
    ]);
    const failed = job({ completions: 1 }, { startTime, conditions: [{ type: 'Failed', status: 'True' }] });
    expect(jobConvertor.cells(failed, now).slice(1, 4)).toEqual(['Failed', '0/1', '10m']);
  });

  it('prints a running, terminating or suspended job, and a work queue without completions', () => {
    expect(jobConvertor.cells(job({ parallelism: 3 }, { startTime }), now).slice(1, 4)).toEqual([
      'Running',
      '0/1 of 3',
      '10m',
    ]);
    const suspended = job(
      { completions: 1, parallelism: 1 },
      { conditions: [{ type: 'Suspended', status: 'True' }] },
    );
    expect(jobConvertor.cells(suspended, now).slice(1, 4)).toEqual(['Suspended', '0/1', '']);
    const deleting = job({ completions: 1 }, { startTime }, { deletionTimestamp: '2024-05-01T11:59:00Z' });
    expect(jobConvertor.cells(deleting, now)[1]).toBe('Terminating');
  });

  it('has kubectl 1.32 columns, the template and selector only with -o wide', () => {
    expect(jobConvertor.columns.map((c) => [c.name, c.priority])).toEqual([
      ['Name', 0],
      ['Status', 0],
      ['Completions', 0],
      ['Duration', 0],
      ['Age', 0],
      ['Containers', 1],
      ['Images', 1],
      ['Selector', 1],
    ]);
  });
});
