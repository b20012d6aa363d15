import { ageCell, ageColumn, column, nameCell, nameColumn } from './columns.ts';
import type { TableConvertor, TableObject } from './types.ts';

/** ConfigMap is the view of a v1 ConfigMap its printer reads. */
export interface ConfigMap extends TableObject {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

/** Secret is the view of a v1 Secret its printer reads; values are never shown, only counted. */
export interface Secret extends TableObject {
  type?: string;
  data?: Record<string, string>;
}

/** ServiceAccount is the view of a v1 ServiceAccount its printer reads. */
export interface ServiceAccount extends TableObject {
  secrets?: unknown[];
}

function countKeys(map: Record<string, string> | undefined): number {
  return Object.keys(map ?? {}).length;
}

/** The config map printer: DATA counts text and binary keys together. */
export const configMapConvertor: TableConvertor<ConfigMap> = {
  columns: [nameColumn, column('Data', 'string', 'How many keys the config map holds.'), ageColumn],
  cells(configMap, now) {
    return [
      nameCell(configMap),
      countKeys(configMap.data) + countKeys(configMap.binaryData),
      ageCell(configMap, now),
    ];
  },
};

/** The secret printer: TYPE such as Opaque or kubernetes.io/tls, and DATA, the number of keys. */
export const secretConvertor: TableConvertor<Secret> = {
  columns: [
    nameColumn,
    column('Type', 'string', 'The kind of secret, which decides the keys it must have.'),
    column('Data', 'string', 'How many keys the secret holds.'),
    ageColumn,
  ],
  cells(secret, now) {
    return [nameCell(secret), secret.type ?? '', countKeys(secret.data), ageCell(secret, now)];
  },
};

/**
 * The service account printer. SECRETS counts the legacy token secrets listed on the account;
 * since Kubernetes 1.24 none are created, so it is usually 0.
 */
export const serviceAccountConvertor: TableConvertor<ServiceAccount> = {
  columns: [nameColumn, column('Secrets', 'string', 'How many secrets the account lists.'), ageColumn],
  cells(account, now) {
    return [nameCell(account), account.secrets?.length ?? 0, ageCell(account, now)];
  },
};
