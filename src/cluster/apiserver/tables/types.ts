import type { KubeObject, ListMeta, ObjectMeta } from '../../api/meta.ts';
import { badRequest } from '../status.ts';

/**
 * The value types a Table column may declare, from the OpenAPI type names. kubectl prints every
 * cell as it arrives, so the type is information for clients, not formatting: a "date" cell is
 * whatever string the server put there.
 */
export type ColumnType = 'string' | 'integer' | 'number' | 'boolean' | 'date';

/** TableColumnDefinition is meta.k8s.io/v1's description of one Table column. */
export interface TableColumnDefinition {
  /** Shown upper-cased by kubectl: "Nominated Node" becomes NOMINATED NODE. */
  readonly name: string;
  readonly type: ColumnType;
  /** "name" marks the column holding the object's name; every other column has "". */
  readonly format: '' | 'name';
  readonly description: string;
  /** 0 for the columns `kubectl get` shows, 1 for those only `-o wide` adds. */
  readonly priority: 0 | 1;
}

/** TableRowCondition tells a client something about a row as a whole, such as a pod that finished. */
export interface TableRowCondition {
  readonly type: 'Completed';
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason?: string;
  readonly message?: string;
}

/**
 * TableConvertor turns objects of one resource into Table rows, as kube-apiserver's printers do.
 * The server always produces every column, wide ones included; kubectl drops priority 1 columns
 * unless asked for `-o wide`. `T` is the kind the convertor prints, as its API schema types it.
 */
export interface TableConvertor<T extends KubeObject = KubeObject> {
  readonly columns: readonly TableColumnDefinition[];
  /** One cell per column, in column order. `now` is the instant ages are measured to. */
  cells(obj: T, now: Date): unknown[];
  /** Conditions of the whole row; only pods have any (a finished pod is Completed). */
  conditions?(obj: T): TableRowCondition[];
}

/**
 * IncludeObject is the includeObject query parameter: what each row carries besides its cells.
 * Metadata (the default) sends a PartialObjectMetadata, enough for kubectl to add NAMESPACE or
 * label columns; Object sends the whole object, which kubectl asks for when it must sort or
 * read fields itself; None sends nothing.
 */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** TableOptions are the query parameters that shape a Table response. */
export interface TableOptions {
  readonly includeObject?: IncludeObject;
  /** Leave out the column definitions (meta.k8s.io TableOptions.noHeaders). */
  readonly noHeaders?: boolean;
}

/** PartialObjectMetadata is an object reduced to its metadata, as a row carries it by default. */
export interface PartialObjectMetadata {
  readonly kind: 'PartialObjectMetadata';
  readonly apiVersion: 'meta.k8s.io/v1';
  readonly metadata: ObjectMeta;
}

export interface TableRow {
  readonly cells: unknown[];
  readonly conditions?: TableRowCondition[];
  /** null when includeObject=None, as kube-apiserver writes an empty RawExtension. */
  readonly object: PartialObjectMetadata | KubeObject | null;
}

/** Table is the meta.k8s.io/v1 Table kubectl asks for with `Accept: application/json;as=Table;...`. */
export interface Table {
  readonly kind: 'Table';
  readonly apiVersion: 'meta.k8s.io/v1';
  readonly metadata: ListMeta;
  readonly columnDefinitions: TableColumnDefinition[];
  readonly rows: TableRow[];
}

/**
 * toTable builds the Table for a list of objects, or for a single object passed as a list of one
 * (then `listMeta.resourceVersion` should be the object's, as kube-apiserver does).
 */
export function toTable<T extends KubeObject>(
  convertor: TableConvertor<T>,
  objects: readonly T[],
  now: Date,
  listMeta: ListMeta = {},
  options: TableOptions = {},
): Table {
  const includeObject = options.includeObject ?? 'Metadata';
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: compactListMeta(listMeta),
    columnDefinitions: options.noHeaders ? [] : [...convertor.columns],
    rows: objects.map((obj) => toRow(convertor, obj, now, includeObject)),
  };
}

function toRow<T extends KubeObject>(
  convertor: TableConvertor<T>,
  obj: T,
  now: Date,
  includeObject: IncludeObject,
): TableRow {
  const conditions = convertor.conditions?.(obj) ?? [];
  return {
    cells: convertor.cells(obj, now),
    ...(conditions.length > 0 ? { conditions } : {}),
    object: rowObject(obj, includeObject),
  };
}

function rowObject(obj: KubeObject, includeObject: IncludeObject): TableRow['object'] {
  switch (includeObject) {
    case 'Object':
      return obj;
    case 'Metadata':
      return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
    case 'None':
      return null;
  }
}

/** Drops empty list fields, as Go's omitempty does on the wire. */
function compactListMeta(meta: ListMeta): ListMeta {
  return {
    ...(meta.resourceVersion ? { resourceVersion: meta.resourceVersion } : {}),
    ...(meta.continue ? { continue: meta.continue } : {}),
    ...(meta.remainingItemCount !== undefined ? { remainingItemCount: meta.remainingItemCount } : {}),
  };
}

/**
 * parseIncludeObject reads the includeObject query parameter. Absent or empty means Metadata;
 * any other unknown value is a 400, worded as kube-apiserver words it.
 */
export function parseIncludeObject(value: string | null | undefined): IncludeObject {
  if (!value) return 'Metadata';
  if (value === 'None' || value === 'Metadata' || value === 'Object') return value;
  throw badRequest(`unrecognized includeObject value: "${value}"`);
}
