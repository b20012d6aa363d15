import type { FieldValidation } from '../../api/decode.ts';
import { statusCauses } from '../../api/field-error.ts';
import type { KindType } from '../../api/resource-type.ts';
import { decodeAs } from '../../api/resources.ts';
import { badRequest, invalid } from '../status.ts';

/**
 * decodeKind reads a request body as a kind, strictly or not as the request asks, with the kind's
 * defaults: a 400 when it cannot be read as one, a 422 naming the fields at fault (and `name`, the
 * object the error is about). Resource bodies and subresource bodies (Scale, Eviction,
 * TokenRequest) alike go through it.
 */
export function decodeKind<T>(
  type: KindType<T>,
  raw: unknown,
  fieldValidation: FieldValidation,
  name = '',
): { readonly obj: T; readonly warnings: string[] } {
  const result = decodeAs(type, raw, fieldValidation);
  if (result.ok) return { obj: result.object, warnings: result.warnings };
  if (result.reason === 'BadRequest') throw badRequest(result.message);
  throw invalid(type.group, type.kind, name, statusCauses(result.errors));
}
