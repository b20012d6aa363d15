/**
 * configmaps: the smallest registry module, and the one to copy when adding a kind.
 *
 * A module pairs what the API says about a resource (imported from src/cluster/api: names,
 * schema, defaults, validation, field selectors) with what the API server adds to it, and
 * nothing else. A config map needs little: its objects are stored as sent (no strategy), it
 * has no hooks and no subresources, and `kubectl get configmaps` prints NAME, DATA and AGE.
 * Listing `configMaps` in registry/index.ts is what serves it: the store under
 * /registry/configmaps, discovery, the OpenAPI document and the Table all follow.
 *
 * A richer kind adds, as it needs them (see the modules named):
 *   strategy      status and generation rules              apps/deployment.ts, strategy.ts
 *   hooks         admission, graceful deletion, allocation  core/pod/, core/service/
 *   subresources  scale, binding, log, finalize, token...   apps/replicaset.ts, core/namespace.ts
 *   create        answered rather than stored               authorization/selfsubjectaccessreview.ts
 */
import type { ConfigMap } from '../../../api/core/config.ts';
import { configMaps as resource } from '../../../api/core/register.ts';
import { ageCell, ageColumn, column, nameCell, nameColumn } from '../../tables/columns.ts';
import type { TableConvertor } from '../../tables/types.ts';
import type { ResourceRegistration } from '../registration.ts';

/** The config map printer (printConfigMap): DATA counts text and binary keys together. */
export const configMapConvertor: TableConvertor<ConfigMap> = {
  columns: [nameColumn, column('Data', 'string', 'How many keys the config map holds.'), ageColumn],
  cells(configMap, now) {
    const keys = Object.keys(configMap.data ?? {}).length + Object.keys(configMap.binaryData ?? {}).length;
    return [nameCell(configMap), keys, ageCell(configMap, now)];
  },
};

export const configMaps: ResourceRegistration<ConfigMap> = {
  resource,
  printer: configMapConvertor,
};
