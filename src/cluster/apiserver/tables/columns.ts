import type { Container } from '../../api/core/container.ts';
import type { KubeObject } from '../../api/meta.ts';
import { translateTimestampSince } from './duration.ts';
import type { ColumnType, TableColumnDefinition } from './types.ts';

/** column declares a column `kubectl get` shows by default. */
export function column(name: string, type: ColumnType, description: string): TableColumnDefinition {
  return { name, type, format: '', description, priority: 0 };
}

/** wideColumn declares a column kubectl shows only with `-o wide`. */
export function wideColumn(name: string, type: ColumnType, description: string): TableColumnDefinition {
  return { name, type, format: '', description, priority: 1 };
}

/** nameColumn is the NAME column every printer starts with. */
export const nameColumn: TableColumnDefinition = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'The object name, unique within its namespace for its resource.',
  priority: 0,
};

/** ageColumn is AGE: how long ago the object was created. */
export const ageColumn = column('Age', 'string', 'How long ago the object was created.');

/** The CONTAINERS and IMAGES columns that workload controllers add with `-o wide`. */
export const containersColumn = wideColumn(
  'Containers',
  'string',
  'The container names in the pod template.',
);
export const imagesColumn = wideColumn('Images', 'string', 'The container images in the pod template.');

export function nameCell(obj: KubeObject): string {
  return obj.metadata.name ?? '';
}

export function ageCell(obj: KubeObject, now: Date): string {
  return translateTimestampSince(obj.metadata.creationTimestamp, now);
}

/** layoutContainerCells writes a template's container names and images, each list comma-joined. */
export function layoutContainerCells(containers: readonly Container[]): [string, string] {
  return [containers.map((c) => c.name).join(','), containers.map((c) => c.image ?? '').join(',')];
}

/** noneIfEmpty is the printers' habit of writing "<none>" for an empty value. */
export function noneIfEmpty(value: string | undefined): string {
  return value ? value : '<none>';
}
