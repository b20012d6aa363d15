/** autoscaling/v1 Scale: the body of every `<workload>/scale` subresource, never stored itself. */
import { type KindType, noDefaults } from '../resource-type.ts';
import { Scale } from './scale.ts';
import { validateScale } from './validation.ts';

export const scaleKind: KindType<Scale> = {
  group: 'autoscaling',
  version: 'v1',
  kind: 'Scale',
  schema: Scale,
  defaults: noDefaults,
  validate: validateScale,
};
