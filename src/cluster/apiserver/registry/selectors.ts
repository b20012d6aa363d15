import { convertFieldSelector, FieldSelectorError, parseFieldSelector } from '../../api/fields.ts';
import { parseSelector, SelectorError } from '../../api/labels.ts';
import type { KubeObject } from '../../api/meta.ts';
import type { ResourceType } from '../../api/resource-type.ts';
import { badRequest } from '../status.ts';

/**
 * selectionPredicate reads the labelSelector and fieldSelector of a list or watch request into a
 * test of one object, after the SelectionPredicate kube-apiserver builds from a resource's
 * GetAttrs; undefined when neither is given. A malformed selector, or a field the resource
 * cannot select on, is a 400 in kube-apiserver's words.
 */
export function selectionPredicate<T extends KubeObject>(
  resource: ResourceType<T>,
  labelSelector: string | null,
  fieldSelector: string | null,
): ((obj: T) => boolean) | undefined {
  if (!labelSelector && !fieldSelector) return undefined;
  try {
    const labels = parseSelector(labelSelector ?? '');
    const fields = convertFieldSelector(parseFieldSelector(fieldSelector ?? ''), resource.fields);
    return (obj) => labels.matches(obj.metadata.labels) && fields.matches(resource.fields.fieldSet(obj));
  } catch (err) {
    if (err instanceof SelectorError || err instanceof FieldSelectorError) {
      const { group, version, plural } = resource;
      const gvr = `${group ? `${group}/` : '/'}${version}, Resource=${plural}`;
      throw badRequest(
        `Unable to find "${gvr}" that match label selector "${labelSelector ?? ''}", field selector "${fieldSelector ?? ''}": ${err.message}`,
      );
    }
    throw err;
  }
}
