/** The networking.k8s.io/v1 resources. */
import { metadataOnly } from '../fields.ts';
import { createOrUpdate, defineResource, statusSubresource } from '../resource-type.ts';
import { defaultIngressClass } from './defaults.ts';
import { Ingress, IngressClass } from './ingress.ts';
import {
  validateIngress,
  validateIngressClass,
  validateIngressClassUpdate,
  validateIngressUpdate,
} from './validation.ts';

export const ingresses = defineResource<Ingress>({
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'Ingress',
  plural: 'ingresses',
  shortNames: ['ing'],
  namespaced: true,
  subresources: [statusSubresource('Ingress')],
  storagePrefix: 'ingress',
  schema: Ingress,
  validate: createOrUpdate(validateIngress, validateIngressUpdate),
  fields: metadataOnly(true),
});

export const ingressClasses = defineResource<IngressClass>({
  group: 'networking.k8s.io',
  version: 'v1',
  kind: 'IngressClass',
  plural: 'ingressclasses',
  namespaced: false,
  storagePrefix: 'ingressclasses',
  schema: IngressClass,
  defaults: defaultIngressClass,
  validate: createOrUpdate(validateIngressClass, validateIngressClassUpdate),
  fields: metadataOnly(false),
});

export const networkingResources = [ingresses, ingressClasses] as const;
