/** core/v1 ConfigMap and Secret: configuration and credentials handed to pods. */
import type { z } from 'zod';
import { objectFields } from '../meta.ts';
import { apiPackage, Bytes, bool, mapOf, optional, str, stringMap } from '../schema.ts';

const core = apiPackage('io.k8s.api.core.v1');

export const ConfigMap = core.kind(
  { group: '', version: 'v1', kind: 'ConfigMap' },
  'Non-secret configuration as key/value pairs, usable as env variables, arguments or files.',
  {
    ...objectFields('Standard object metadata.'),
    immutable: optional(bool, 'Once true, data can no longer change (the object can still be deleted).'),
    data: optional(stringMap, 'UTF-8 values by key.'),
    binaryData: optional(mapOf(Bytes), 'Binary values by key, base64 encoded.'),
  },
);
export type ConfigMap = z.infer<typeof ConfigMap>;

export const Secret = core.kind(
  { group: '', version: 'v1', kind: 'Secret' },
  'Sensitive data such as passwords, tokens or keys.',
  {
    ...objectFields('Standard object metadata.'),
    immutable: optional(bool, 'Once true, data can no longer change (the object can still be deleted).'),
    data: optional(mapOf(Bytes), 'Values by key, base64 encoded.'),
    stringData: optional(stringMap, 'Write-only plain-text values, merged into data (and winning) on write.'),
    type: optional(str, 'How the data is meant to be used: Opaque (default), kubernetes.io/tls, ...'),
  },
);
export type Secret = z.infer<typeof Secret>;
