/** Validation of autoscaling/v1 Scale, the body of a <resource>/scale update. */
import type { FieldError } from '../field-error.ts';
import { nameIsDNSSubdomain } from '../names.ts';
import { validateNonnegative, validateObjectMeta } from '../validation.ts';
import type { Scale } from './scale.ts';

export function validateScale(scale: Scale): FieldError[] {
  return [
    ...validateObjectMeta(scale.metadata, { namespaced: true, name: nameIsDNSSubdomain }),
    ...validateNonnegative(scale.spec.replicas, 'spec.replicas'),
  ];
}
