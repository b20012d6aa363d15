import { ageCell, ageColumn, column, nameCell, nameColumn } from './columns.ts';
import type { TableConvertor, TableObject } from './types.ts';

/** Namespace is the view of a v1 Namespace the namespace printer reads. */
export interface Namespace extends TableObject {
  status?: { phase?: string };
}

/** The namespace printer: `kubectl get namespaces`, STATUS being Active or Terminating. */
export const namespaceConvertor: TableConvertor<Namespace> = {
  columns: [nameColumn, column('Status', 'string', 'Active, or Terminating while being deleted.'), ageColumn],
  cells(namespace, now) {
    return [nameCell(namespace), namespace.status?.phase ?? '', ageCell(namespace, now)];
  },
};
