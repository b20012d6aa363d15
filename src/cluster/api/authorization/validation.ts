/** Validation of authorization.k8s.io/v1 SelfSubjectAccessReview. */
import { semanticEqual } from '../equality.ts';
import type { FieldError } from '../field-error.ts';
import * as field from '../field-error.ts';
import type { SelfSubjectAccessReview } from './self-subject-access-review.ts';

/** A review asks about exactly one request, and is never stored, so it has no metadata. */
export function validateSelfSubjectAccessReview(review: SelfSubjectAccessReview): FieldError[] {
  const errs: FieldError[] = [];
  const { resourceAttributes, nonResourceAttributes } = review.spec;
  if (resourceAttributes && nonResourceAttributes) {
    errs.push(
      field.invalid(
        'spec.nonResourceAttributes',
        nonResourceAttributes,
        'cannot be specified in combination with resourceAttributes',
      ),
    );
  }
  if (!resourceAttributes && !nonResourceAttributes) {
    errs.push(
      field.invalid(
        'spec.resourceAttributes',
        null,
        'exactly one of nonResourceAttributes or resourceAttributes must be specified',
      ),
    );
  }
  if (!semanticEqual(review.metadata, {}))
    errs.push(field.invalid('metadata', review.metadata, 'must be empty'));
  return errs;
}
