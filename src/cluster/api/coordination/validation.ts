/** Validation of coordination.k8s.io/v1 Lease. */

import type { FieldError } from '../field-error.ts';
import * as field from '../field-error.ts';
import { nameIsDNSSubdomain } from '../names.ts';
import { isNegativeErrorMsg, validateObjectMeta, validateObjectMetaUpdate } from '../validation.ts';
import type { Lease } from './lease.ts';

const strategies = ['OldestEmulationVersion'];

export function validateLease(lease: Lease): FieldError[] {
  const errs = validateObjectMeta(lease.metadata, { namespaced: true, name: nameIsDNSSubdomain });
  const spec = lease.spec;
  if (spec.leaseDurationSeconds !== undefined && spec.leaseDurationSeconds <= 0) {
    errs.push(
      field.invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'),
    );
  }
  if (spec.leaseTransitions !== undefined && spec.leaseTransitions < 0) {
    errs.push(field.invalid('spec.leaseTransitions', spec.leaseTransitions, isNegativeErrorMsg));
  }
  if (spec.strategy !== undefined && !strategies.includes(spec.strategy)) {
    errs.push(field.notSupported('spec.strategy', spec.strategy, strategies));
  }
  if (spec.preferredHolder && !spec.strategy) {
    errs.push(field.forbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined'));
  }
  return errs;
}

export function validateLeaseUpdate(lease: Lease, old: Lease): FieldError[] {
  return [...validateObjectMetaUpdate(lease.metadata, old.metadata), ...validateLease(lease)];
}
