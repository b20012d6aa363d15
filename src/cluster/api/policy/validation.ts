/** Validation of policy/v1 Eviction: only its delete options carry rules. */
import type { FieldError } from '../field-error.ts';
import { validateDeleteOptions } from '../validation.ts';
import type { Eviction } from './eviction.ts';

export function validateEviction(eviction: Eviction): FieldError[] {
  return eviction.deleteOptions ? validateDeleteOptions(eviction.deleteOptions) : [];
}
