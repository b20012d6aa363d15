/** The apps/v1 resources. */
import { metadataOnly, replicasFields } from '../fields.ts';
import { createOrUpdate, defineResource, scaleSubresource, statusSubresource } from '../resource-type.ts';
import { defaultDeployment, defaultReplicaSet } from './defaults.ts';
import { Deployment } from './deployment.ts';
import { ReplicaSet } from './replica-set.ts';
import {
  validateDeployment,
  validateDeploymentUpdate,
  validateReplicaSet,
  validateReplicaSetUpdate,
} from './validation.ts';

export const replicaSets = defineResource<ReplicaSet>({
  group: 'apps',
  version: 'v1',
  kind: 'ReplicaSet',
  plural: 'replicasets',
  shortNames: ['rs'],
  namespaced: true,
  categories: ['all'],
  subresources: [statusSubresource('ReplicaSet'), scaleSubresource],
  storagePrefix: 'replicasets',
  schema: ReplicaSet,
  defaults: defaultReplicaSet,
  validate: createOrUpdate(validateReplicaSet, validateReplicaSetUpdate),
  fields: replicasFields,
});

export const deployments = defineResource<Deployment>({
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  plural: 'deployments',
  shortNames: ['deploy'],
  namespaced: true,
  categories: ['all'],
  subresources: [statusSubresource('Deployment'), scaleSubresource],
  storagePrefix: 'deployments',
  schema: Deployment,
  defaults: defaultDeployment,
  validate: createOrUpdate(validateDeployment, validateDeploymentUpdate),
  fields: metadataOnly(true),
});

export const appsResources = [replicaSets, deployments] as const;
