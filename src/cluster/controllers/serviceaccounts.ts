/**
 * The serviceaccounts controller (pkg/controller/serviceaccount/serviceaccounts_controller.go):
 * every namespace has a ServiceAccount named `default`, the one pods run as unless they name
 * another. Only its existence is kept: a learner's changes to it stay.
 */
import type { ServiceAccount } from '../api/core/service-account.ts';
import { serviceAccounts } from '../api/resources.ts';
import type { PerNamespaceObject } from './per-namespace.ts';

export const defaultServiceAccount: PerNamespaceObject<ServiceAccount> = {
  type: serviceAccounts,
  name: 'default',
  desired: (namespace) => ({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'default', namespace },
  }),
  content: () => undefined,
};
