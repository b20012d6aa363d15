/** autoscaling/v1 Scale: the replica count of a scalable object, served at <resource>/<name>/scale. */
import type { z } from 'zod';
import { objectFields } from '../meta.ts';
import { always, apiPackage, int32, optional, str, zero } from '../schema.ts';

const autoscaling = apiPackage('io.k8s.api.autoscaling.v1');

export const ScaleSpec = autoscaling.struct('ScaleSpec', 'The desired count.', {
  replicas: optional(int32, 'Desired number of replicas.'),
});

export const ScaleStatus = autoscaling.struct('ScaleStatus', 'The observed count.', {
  replicas: zero(int32, 0, 'Observed number of replicas.'),
  selector: optional(str, 'Label selector of the pods, in query-string form (app=web).'),
});

export const Scale = autoscaling.kind(
  { group: 'autoscaling', version: 'v1', kind: 'Scale' },
  'The scale of a deployment, replica set or replication controller.',
  {
    ...objectFields('Metadata of the scaled object.'),
    spec: always(ScaleSpec, 'Desired count.'),
    status: always(ScaleStatus, 'Observed count.'),
  },
);
export type Scale = z.infer<typeof Scale>;
