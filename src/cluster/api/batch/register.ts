/** The batch/v1 resources. */
import { metadataOnly } from '../fields.ts';
import { createOrUpdate, defineResource, statusSubresource } from '../resource-type.ts';
import { defaultJob } from './defaults.ts';
import { Job } from './job.ts';
import { validateJob, validateJobUpdate } from './validation.ts';

export const jobs = defineResource<Job>({
  group: 'batch',
  version: 'v1',
  kind: 'Job',
  plural: 'jobs',
  namespaced: true,
  categories: ['all'],
  subresources: [statusSubresource('Job')],
  storagePrefix: 'jobs',
  schema: Job,
  defaults: defaultJob,
  validate: createOrUpdate(validateJob, validateJobUpdate),
  fields: metadataOnly(true),
});

export const batchResources = [jobs] as const;
