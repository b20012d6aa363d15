import { formatTime } from '../../api/meta.ts';
import { column, nameCell, nameColumn } from './columns.ts';
import { parseTimestamp } from './duration.ts';
import type { TableConvertor } from './types.ts';

/**
 * createdAt writes creationTimestamp as Go's RFC 3339 in UTC, to the second:
 * "2024-05-01T10:00:00Z". An object without one shows Go's zero time, as kube-apiserver does.
 */
function createdAt(timestamp: string | undefined): string {
  const ms = parseTimestamp(timestamp);
  if (ms === undefined) return '0001-01-01T00:00:00Z';
  return formatTime(ms);
}

/**
 * defaultConvertor is k8s.io/apiserver's default table convertor, used for every built-in
 * resource without a printer of its own (roles, cluster roles, CustomResourceDefinitions): NAME
 * and CREATED AT. CREATED AT is a "date" column, but the server fills it with a timestamp, not
 * an age, so `kubectl get roles` prints the timestamp as is. (Custom resources are not served by
 * it in Kubernetes: without printer columns of their own they get NAME and AGE.)
 */
export const defaultConvertor: TableConvertor = {
  columns: [nameColumn, column('Created At', 'date', 'When the object was created.')],
  cells(obj) {
    return [nameCell(obj), createdAt(obj.metadata.creationTimestamp)];
  },
};
