/** The discovery.k8s.io/v1 resources. */
import { metadataOnly } from '../fields.ts';
import { createOrUpdate, defineResource } from '../resource-type.ts';
import { defaultEndpointSlice } from './defaults.ts';
import { EndpointSlice } from './endpoint-slice.ts';
import { validateEndpointSlice, validateEndpointSliceUpdate } from './validation.ts';

export const endpointSlices = defineResource<EndpointSlice>({
  group: 'discovery.k8s.io',
  version: 'v1',
  kind: 'EndpointSlice',
  plural: 'endpointslices',
  namespaced: true,
  storagePrefix: 'endpointslices',
  schema: EndpointSlice,
  defaults: defaultEndpointSlice,
  validate: createOrUpdate(validateEndpointSlice, validateEndpointSliceUpdate),
  fields: metadataOnly(true),
});

export const discoveryResources = [endpointSlices] as const;
