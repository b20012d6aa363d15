/** secrets: stored as sent; the printer shows the type and counts keys, never values. */
import type { Secret } from '../../../api/core/config.ts';
import { secrets as resource } from '../../../api/core/register.ts';
import { ageCell, ageColumn, column, nameCell, nameColumn } from '../../tables/columns.ts';
import type { TableConvertor } from '../../tables/types.ts';
import type { ResourceRegistration } from '../registration.ts';

/** The secret printer: TYPE such as Opaque or kubernetes.io/tls, and DATA, the number of keys. */
export const secretConvertor: TableConvertor<Secret> = {
  columns: [
    nameColumn,
    column('Type', 'string', 'The kind of secret, which decides the keys it must have.'),
    column('Data', 'string', 'How many keys the secret holds.'),
    ageColumn,
  ],
  cells(secret, now) {
    return [nameCell(secret), secret.type ?? '', Object.keys(secret.data ?? {}).length, ageCell(secret, now)];
  },
};

export const secrets: ResourceRegistration<Secret> = {
  resource,
  printer: secretConvertor,
};
