import type { UserInfo } from '../authn.ts';
import type { Status, StatusDetails } from '../status.ts';

/**
 * Attributes describe one request the way every authorizer sees it (authorizer.Attributes in
 * Kubernetes): who, which verb, and either a resource or a plain URL path.
 *
 * `GET /apis/apps/v1/namespaces/default/deployments/web/scale` becomes
 * { verb: 'get', apiGroup: 'apps', apiVersion: 'v1', resource: 'deployments', subresource: 'scale',
 *   namespace: 'default', name: 'web', isResourceRequest: true, path: <the path> }.
 * `GET /healthz` becomes { verb: 'get', path: '/healthz', isResourceRequest: false }.
 *
 * As in Kubernetes, an empty string means "none", with one twist worth knowing: the core API
 * group ("pods", "services", ...) is the group whose name is the empty string.
 */
export interface Attributes {
  readonly user: UserInfo;
  /** get, list, watch, create, update, patch, delete, deletecollection; or a special verb such as impersonate. */
  readonly verb: string;
  readonly isResourceRequest: boolean;
  /** The URL path; what non-resource rules (nonResourceURLs) match against. */
  readonly path: string;
  readonly apiGroup?: string;
  readonly apiVersion?: string;
  readonly resource?: string;
  readonly subresource?: string;
  /** Empty for cluster-scoped resources and for requests across all namespaces. */
  readonly namespace?: string;
  /** Empty for list, watch, deletecollection and create without a name. */
  readonly name?: string;
}

/**
 * The 403 Status kube-apiserver sends when no authorizer allowed a request. The wording is
 * Kubernetes' own, as kubectl prints it after "Error from server (Forbidden): ":
 *
 *   pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"
 *   deployments.apps "web" is forbidden: User "alice" cannot get resource "deployments" in API group "apps" ...
 *   nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope
 *   forbidden: User "alice" cannot get path "/foo"
 *
 * `reason` is the authorizer's explanation (RBAC names bindings whose role is missing); when it is
 * not empty it follows the sentence after ": ".
 */
export function forbiddenStatus(
  attributes: Attributes,
  reason = '',
): Status & { readonly message: string; readonly details: StatusDetails } {
  const explanation =
    reason === '' ? forbiddenSentence(attributes) : `${forbiddenSentence(attributes)}: ${reason}`;
  const group = attributes.isResourceRequest ? (attributes.apiGroup ?? '') : '';
  const resource = attributes.isResourceRequest ? (attributes.resource ?? '') : '';
  const name = attributes.isResourceRequest ? (attributes.name ?? '') : '';
  // The resource is named as "resource.group" (just "resource" in the core group), never with
  // its subresource: that appears only in the sentence.
  const qualified = group === '' ? resource : `${resource}.${group}`;
  let message: string;
  if (qualified === '') message = `forbidden: ${explanation}`;
  else if (name === '') message = `${qualified} is forbidden: ${explanation}`;
  else message = `${qualified} ${JSON.stringify(name)} is forbidden: ${explanation}`;
  const details: StatusDetails = {
    ...(name === '' ? {} : { name }),
    ...(group === '' ? {} : { group }),
    ...(resource === '' ? {} : { kind: resource }),
  };
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: 'Forbidden',
    details,
    code: 403,
  };
}

/** `User "alice" cannot list resource "pods" in API group "" in the namespace "default"` and its kin. */
function forbiddenSentence(attributes: Attributes): string {
  const who = `User ${JSON.stringify(attributes.user.username)} cannot ${attributes.verb}`;
  if (!attributes.isResourceRequest) return `${who} path ${JSON.stringify(attributes.path)}`;
  const subresource = attributes.subresource ?? '';
  const resource =
    subresource === '' ? (attributes.resource ?? '') : `${attributes.resource ?? ''}/${subresource}`;
  const what = `${who} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(attributes.apiGroup ?? '')}`;
  const namespace = attributes.namespace ?? '';
  return namespace === ''
    ? `${what} at the cluster scope`
    : `${what} in the namespace ${JSON.stringify(namespace)}`;
}
