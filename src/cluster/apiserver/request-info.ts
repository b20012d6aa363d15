/**
 * RequestInfo is what a request path and method mean to Kubernetes, read the way
 * k8s.io/apiserver's RequestInfoFactory reads them:
 *
 *   /api/v1/namespaces/default/pods/web/log  -> get pods/log "web" in default
 *   /apis/apps/v1/deployments?watch=true     -> watch deployments in every namespace
 *   /api/v1/namespaces/default               -> get namespaces "default"
 *   /healthz                                 -> a non-resource request
 */
export interface RequestInfo {
  readonly isResourceRequest: boolean;
  readonly path: string;
  readonly verb: string;
  readonly apiPrefix: string;
  readonly apiGroup: string;
  readonly apiVersion: string;
  readonly namespace: string;
  readonly resource: string;
  readonly subresource: string;
  readonly name: string;
}

const VERBS_BY_METHOD: Record<string, string> = {
  GET: 'get',
  HEAD: 'get',
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export function requestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const nonResource = (verb: string): RequestInfo => ({
    isResourceRequest: false,
    path,
    verb,
    apiPrefix: '',
    apiGroup: '',
    apiVersion: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
  });
  const methodVerb = VERBS_BY_METHOD[method] ?? method.toLowerCase();
  const parts = path.split('/').filter((p) => p.length > 0);
  const prefix = parts[0];
  if (prefix !== 'api' && prefix !== 'apis') return nonResource(methodVerb);
  let rest = parts.slice(1);
  let apiGroup = '';
  if (prefix === 'apis') {
    if (rest.length < 2) return nonResource(methodVerb);
    apiGroup = rest[0]!;
    rest = rest.slice(1);
  } else if (rest.length < 1) {
    return nonResource(methodVerb);
  }
  const apiVersion = rest[0]!;
  rest = rest.slice(1);
  if (rest.length === 0) return { ...nonResource(methodVerb), apiPrefix: prefix, apiGroup, apiVersion };

  let verb = methodVerb;
  // The old /watch/ path prefix still means watch.
  if (rest[0] === 'watch') {
    verb = 'watch';
    rest = rest.slice(1);
  }
  let namespace = '';
  // "namespaces/NAME" scopes what follows, except the namespace's own subresources.
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1]!;
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2]!)) rest = rest.slice(2);
  }
  const [resource = '', name = '', subresource = ''] = rest;
  if (verb === 'get' && !name) verb = isWatch(query) ? 'watch' : 'list';
  else if (verb === 'get' && isWatch(query)) verb = 'watch';
  if (verb === 'delete' && !name) verb = 'deletecollection';
  return {
    isResourceRequest: true,
    path,
    verb,
    apiPrefix: prefix,
    apiGroup,
    apiVersion,
    namespace,
    resource,
    subresource,
    name,
  };
}

function isWatch(query: URLSearchParams): boolean {
  const watch = query.get('watch');
  return watch === 'true' || watch === '1';
}
