/** policy/v1 Eviction: the body of pods/eviction, never stored itself. */
import { type KindType, noDefaults } from '../resource-type.ts';
import { Eviction } from './eviction.ts';
import { validateEviction } from './validation.ts';

export const evictionKind: KindType<Eviction> = {
  group: 'policy',
  version: 'v1',
  kind: 'Eviction',
  schema: Eviction,
  defaults: noDefaults,
  validate: validateEviction,
};
