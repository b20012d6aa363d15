import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { Deployment } from '../../../api/apps/deployment.ts';
import { metadata, now, template } from '../testing/workloads.ts';
import { deploymentConvertor } from './deployment.ts';

describe('deployment printer', () => {
  type Input = z.input<typeof Deployment>;
  const deployment = (spec: Input['spec'], status: Input['status']) =>
    Deployment.parse({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: metadata('web'), spec, status });

  it('prints READY as ready/desired, then UP-TO-DATE and AVAILABLE, and the template with -o wide', () => {
    const web = deployment(
      { replicas: 3, selector: { matchLabels: { app: 'web' } }, template },
      { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    );
    expect(deploymentConvertor.cells(web, now)).toEqual([
      'web',
      '2/3',
      3,
      2,
      '15m',
      'web,metrics',
      'nginx:1.25,prom/nginx-exporter:1.1',
      'app=web',
    ]);
  });

  it('prints 0 for counts a fresh status leaves out', () => {
    const web = deployment({ replicas: 3, selector: { matchLabels: { app: 'web' } }, template }, {});
    expect(deploymentConvertor.cells(web, now).slice(1, 4)).toEqual(['0/3', 0, 0]);
  });

  it('prints "" for an empty selector and <invalid> for a malformed one', () => {
    expect(deploymentConvertor.cells(deployment({ replicas: 1, selector: {}, template }, {}), now)[7]).toBe(
      '',
    );
    const bad = deployment(
      { replicas: 1, selector: { matchExpressions: [{ key: 'app', operator: 'In' }] }, template },
      {},
    );
    expect(deploymentConvertor.cells(bad, now)[7]).toBe('<invalid>');
  });
});
