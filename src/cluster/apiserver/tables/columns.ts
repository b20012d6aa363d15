import { translateTimestampSince } from './duration.ts';
import type { ColumnType, TableColumnDefinition, TableObject } from './types.ts';

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

/** A container as the printers read it, in a pod or a pod template. */
export interface Container {
  name?: string;
  image?: string;
  /** "Always" on an init container makes it a sidecar that keeps running beside the app. */
  restartPolicy?: string;
}

export function nameCell(obj: TableObject): string {
  return obj.metadata?.name ?? '';
}

export function ageCell(obj: TableObject, now: Date): string {
  return translateTimestampSince(obj.metadata?.creationTimestamp, now);
}

/** layoutContainerCells writes a template's container names and images, each list comma-joined. */
export function layoutContainerCells(containers: readonly Container[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name ?? '').join(','), list.map((c) => c.image ?? '').join(',')];
}

/** noneIfEmpty is the printers' habit of writing "<none>" for an empty value. */
export function noneIfEmpty(value: string | undefined): string {
  return value ? value : '<none>';
}
