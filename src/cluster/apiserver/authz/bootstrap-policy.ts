import type { ClusterRole, ClusterRoleBinding, PolicyRule, Subject } from '../../api/rbac/rbac.ts';

/**
 * The ClusterRoles and ClusterRoleBindings a fresh v1.32 cluster starts with, as far as the lab
 * needs them. kube-apiserver writes these at start-up (its "rbac/bootstrap-roles" hook), labelled
 * kubernetes.io/bootstrapping=rbac-defaults, so `kubectl get clusterroles` shows the same names a
 * learner will meet on a real cluster.
 *
 * Two deliberate differences from a real cluster:
 * - admin, edit and view are written out in full. Real clusters assemble them from the
 *   system:aggregate-to-* roles through aggregation, which the lab does not run; the rules are
 *   the same.
 * - system:node is bound to the group system:nodes. Real clusters leave that binding without
 *   subjects and let the Node authorizer limit each kubelet to its own node's objects; the lab
 *   trusts its kubelets with what any kubelet may do.
 */

const READ = ['get', 'list', 'watch'];
/** Everything but reading: the edit role's grant on objects it may also read. */
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const READ_WRITE = [...READ, ...WRITE];
/** Components emit events through either events API. */
const EVENT_WRITE = ['create', 'patch', 'update'];

function rule(
  verbs: string[],
  apiGroups: string[],
  resources: string[],
  resourceNames?: string[],
): PolicyRule {
  return resourceNames === undefined
    ? { verbs, apiGroups, resources }
    : { verbs, apiGroups, resources, resourceNames };
}

function urls(verbs: string[], nonResourceURLs: string[]): PolicyRule {
  return { verbs, nonResourceURLs };
}

const eventsRule = rule(EVENT_WRITE, ['', 'events.k8s.io'], ['events']);

/** system:aggregate-to-view: read access to a namespace's workloads, never to its secrets. */
const viewRules: PolicyRule[] = [
  rule(
    READ,
    [''],
    [
      'configmaps',
      'endpoints',
      'persistentvolumeclaims',
      'persistentvolumeclaims/status',
      'pods',
      'replicationcontrollers',
      'replicationcontrollers/scale',
      'serviceaccounts',
      'services',
      'services/status',
    ],
  ),
  rule(
    READ,
    [''],
    [
      'bindings',
      'events',
      'limitranges',
      'namespaces/status',
      'pods/log',
      'pods/status',
      'replicationcontrollers/status',
      'resourcequotas',
      'resourcequotas/status',
    ],
  ),
  // Read access to namespaces in a RoleBinding lets a user see the one namespace it was given.
  rule(READ, [''], ['namespaces']),
  rule(READ, ['discovery.k8s.io'], ['endpointslices']),
  rule(
    READ,
    ['apps'],
    [
      'controllerrevisions',
      'daemonsets',
      'daemonsets/status',
      'deployments',
      'deployments/scale',
      'deployments/status',
      'replicasets',
      'replicasets/scale',
      'replicasets/status',
      'statefulsets',
      'statefulsets/scale',
      'statefulsets/status',
    ],
  ),
  rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
  rule(READ, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
  rule(
    READ,
    ['extensions'],
    [
      'daemonsets',
      'daemonsets/status',
      'deployments',
      'deployments/scale',
      'deployments/status',
      'ingresses',
      'ingresses/status',
      'networkpolicies',
      'replicasets',
      'replicasets/scale',
      'replicasets/status',
      'replicationcontrollers/scale',
    ],
  ),
  rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
  rule(READ, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
  // metrics-server's system:aggregated-metrics-reader, which aggregates into view, edit and admin.
  rule(READ, ['metrics.k8s.io'], ['pods', 'nodes']),
];

/** system:aggregate-to-edit: change workloads, read secrets, exec into pods; no RBAC, no quotas. */
const editRules: PolicyRule[] = [
  rule(
    READ,
    [''],
    ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'],
  ),
  rule(['impersonate'], [''], ['serviceaccounts']),
  rule(WRITE, [''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy']),
  rule(['create'], [''], ['pods/eviction']),
  rule(
    WRITE,
    [''],
    [
      'configmaps',
      'events',
      'persistentvolumeclaims',
      'replicationcontrollers',
      'replicationcontrollers/scale',
      'secrets',
      'serviceaccounts',
      'services',
      'services/proxy',
    ],
  ),
  rule(['create'], [''], ['serviceaccounts/token']),
  rule(
    WRITE,
    ['apps'],
    [
      'daemonsets',
      'deployments',
      'deployments/rollback',
      'deployments/scale',
      'replicasets',
      'replicasets/scale',
      'statefulsets',
      'statefulsets/scale',
    ],
  ),
  rule(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
  rule(WRITE, ['batch'], ['cronjobs', 'jobs']),
  rule(
    WRITE,
    ['extensions'],
    [
      'daemonsets',
      'deployments',
      'deployments/rollback',
      'deployments/scale',
      'ingresses',
      'networkpolicies',
      'replicasets',
      'replicasets/scale',
      'replicationcontrollers/scale',
    ],
  ),
  rule(WRITE, ['policy'], ['poddisruptionbudgets']),
  rule(WRITE, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
  rule(READ_WRITE, ['coordination.k8s.io'], ['leases']),
];

/** system:aggregate-to-admin: what makes admin more than edit, granting access to others. */
const adminRules: PolicyRule[] = [
  rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
  rule(READ_WRITE, ['rbac.authorization.k8s.io'], ['rolebindings', 'roles']),
];

const userFacingRoles: Record<string, PolicyRule[]> = {
  'cluster-admin': [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])],
  admin: [...adminRules, ...editRules, ...viewRules],
  edit: [...editRules, ...viewRules],
  view: viewRules,
};

/** Roles every user holds through system:authenticated (or anyone, for public-info-viewer). */
const discoveryRoles: Record<string, PolicyRule[]> = {
  'system:basic-user': [
    rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
    rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
  ],
  'system:discovery': [
    urls(
      ['get'],
      [
        '/api',
        '/api/*',
        '/apis',
        '/apis/*',
        '/healthz',
        '/livez',
        '/openapi',
        '/openapi/*',
        '/readyz',
        '/version',
        '/version/',
      ],
    ),
  ],
  'system:public-info-viewer': [urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])],
};

/** Roles of the control-plane and node components, each authenticating as its own user. */
const componentRoles: Record<string, PolicyRule[]> = {
  'system:node': [
    rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
    rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews', 'subjectaccessreviews']),
    rule(READ, [''], ['services']),
    rule(['create', 'get', 'list', 'watch'], [''], ['nodes']),
    rule(['patch', 'update'], [''], ['nodes/status']),
    rule(['patch', 'update'], [''], ['nodes']),
    rule(['create', 'patch', 'update'], [''], ['events']),
    rule(READ, [''], ['pods']),
    // Mirror pods for static pods.
    rule(['create', 'delete'], [''], ['pods']),
    rule(['patch', 'update'], [''], ['pods/status']),
    rule(['create'], [''], ['pods/eviction']),
    rule(READ, [''], ['configmaps', 'secrets']),
    rule(['get'], [''], ['persistentvolumeclaims', 'persistentvolumes']),
    rule(['get'], [''], ['endpoints']),
    rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
    // The node heartbeat: one Lease per node in kube-node-lease.
    rule(['create', 'delete', 'get', 'patch', 'update'], ['coordination.k8s.io'], ['leases']),
    rule(['get'], ['storage.k8s.io'], ['volumeattachments']),
    rule(['create'], [''], ['serviceaccounts/token']),
    rule(['get', 'patch', 'update'], [''], ['persistentvolumeclaims/status']),
    rule(READ, ['storage.k8s.io'], ['csidrivers']),
    rule(['create', 'delete', 'get', 'patch', 'update'], ['storage.k8s.io'], ['csinodes']),
    rule(READ, ['node.k8s.io'], ['runtimeclasses']),
  ],
  'system:node-proxier': [
    rule(['list', 'watch'], [''], ['endpoints', 'services']),
    rule(READ, [''], ['nodes']),
    eventsRule,
    rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
  ],
  'system:kube-scheduler': [
    eventsRule,
    // Leader election: anyone may create the lease, only the scheduler's own may be taken over.
    rule(['create'], ['coordination.k8s.io'], ['leases']),
    rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-scheduler']),
    rule(READ, [''], ['nodes']),
    rule(['delete', ...READ], [''], ['pods']),
    rule(['create'], [''], ['bindings', 'pods/binding']),
    rule(['patch', 'update'], [''], ['pods/status']),
    rule(READ, [''], ['replicationcontrollers', 'services']),
    rule(READ, ['apps', 'extensions'], ['replicasets']),
    rule(READ, ['apps'], ['statefulsets']),
    rule(READ, ['policy'], ['poddisruptionbudgets']),
    rule(READ, [''], ['persistentvolumeclaims', 'persistentvolumes']),
    rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
    rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    rule(READ, ['storage.k8s.io'], ['csinodes']),
    rule(READ, [''], ['namespaces']),
    rule(READ, ['storage.k8s.io'], ['csidrivers']),
    rule(READ, ['storage.k8s.io'], ['csistoragecapacities']),
  ],
  // Enough to start: the controllers themselves act as the kube-system service accounts below,
  // as kube-controller-manager does with --use-service-account-credentials.
  'system:kube-controller-manager': [
    eventsRule,
    rule(['create'], ['coordination.k8s.io'], ['leases']),
    rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-controller-manager']),
    rule(['create'], [''], ['secrets', 'serviceaccounts']),
    rule(['delete'], [''], ['secrets']),
    rule(['get'], [''], ['configmaps', 'namespaces', 'secrets', 'serviceaccounts']),
    rule(['update'], [''], ['secrets', 'serviceaccounts']),
    rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
    rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    rule(['list', 'watch'], ['*'], ['*']),
    rule(['create'], [''], ['serviceaccounts/token']),
  ],
};

/**
 * The roles of the controllers the lab runs, named system:controller:<controller> and bound to the
 * service account of the same name in kube-system, as in a real cluster.
 */
const controllerRoles: Record<string, PolicyRule[]> = {
  'deployment-controller': [
    rule(['get', 'list', 'update', 'watch'], ['apps', 'extensions'], ['deployments']),
    rule(['update'], ['apps', 'extensions'], ['deployments/status']),
    rule(['update'], ['apps', 'extensions'], ['deployments/finalizers']),
    rule(
      ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
      ['apps', 'extensions'],
      ['replicasets'],
    ),
    rule(['get', 'list', 'update', 'watch'], [''], ['pods']),
    eventsRule,
  ],
  'endpoint-controller': [
    rule(READ, [''], ['pods', 'services']),
    rule(['create', 'delete', 'get', 'list', 'update', 'watch'], [''], ['endpoints']),
    rule(['create'], [''], ['endpoints/restricted']),
    eventsRule,
  ],
  'endpointslice-controller': [
    rule(READ, [''], ['nodes', 'pods', 'services']),
    rule(['update'], [''], ['services/finalizers']),
    rule(['create', 'delete', 'get', 'list', 'update', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
    eventsRule,
  ],
  'generic-garbage-collector': [
    rule(['delete', 'get', 'list', 'patch', 'update', 'watch'], ['*'], ['*']),
    eventsRule,
  ],
  'job-controller': [
    rule(['get', 'list', 'patch', 'update', 'watch'], ['batch'], ['jobs']),
    rule(['update'], ['batch'], ['jobs/status']),
    rule(['update'], ['batch'], ['jobs/finalizers']),
    rule(['create', 'delete', 'list', 'patch', 'watch'], [''], ['pods']),
    eventsRule,
  ],
  'namespace-controller': [
    rule(['delete', 'get', 'list', 'watch'], [''], ['namespaces']),
    rule(['update'], [''], ['namespaces/finalize', 'namespaces/status']),
    rule(['delete', 'deletecollection', 'get', 'list', 'watch'], ['*'], ['*']),
  ],
  'node-controller': [
    rule(['delete', 'get', 'list', 'patch', 'update', 'watch'], [''], ['nodes']),
    rule(['patch', 'update'], [''], ['nodes/status']),
    rule(['patch', 'update'], [''], ['pods/status']),
    rule(['delete', 'get', 'list', 'watch'], [''], ['pods']),
    eventsRule,
  ],
  'pod-garbage-collector': [
    rule(['delete', 'list', 'watch'], [''], ['pods']),
    rule(['get', 'list'], [''], ['nodes']),
    rule(['patch'], [''], ['pods/status']),
  ],
  'replicaset-controller': [
    rule(['get', 'list', 'update', 'watch'], ['apps', 'extensions'], ['replicasets']),
    rule(['update'], ['apps', 'extensions'], ['replicasets/status']),
    rule(['update'], ['apps', 'extensions'], ['replicasets/finalizers']),
    rule(['create', 'delete', 'list', 'patch', 'watch'], [''], ['pods']),
    eventsRule,
  ],
  'root-ca-cert-publisher': [rule(['create', 'update'], [''], ['configmaps']), eventsRule],
  'service-account-controller': [rule(['create'], [''], ['serviceaccounts']), eventsRule],
  // The cloud provider's service controller, which the lab's load balancer (service-lb.ts) stands in for.
  'service-controller': [
    rule(READ, [''], ['services']),
    rule(['patch', 'update'], [''], ['services/status']),
    eventsRule,
  ],
  'taint-eviction-controller': [
    rule(['delete', 'get', 'list', 'watch'], [''], ['pods']),
    rule(['patch'], [''], ['pods/status']),
    eventsRule,
  ],
  'replication-controller': [
    rule(['get', 'list', 'update', 'watch'], [''], ['replicationcontrollers']),
    rule(['update'], [''], ['replicationcontrollers/status']),
    rule(['update'], [''], ['replicationcontrollers/finalizers']),
    rule(['create', 'delete', 'list', 'patch', 'watch'], [''], ['pods']),
    eventsRule,
  ],
};

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const BOOTSTRAP_LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
/** Tells kube-apiserver it may reset the object to these defaults at the next start. */
const AUTOUPDATE = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };

const group = (name: string): Subject => ({ kind: 'Group', apiGroup: RBAC_GROUP, name });
const user = (name: string): Subject => ({ kind: 'User', apiGroup: RBAC_GROUP, name });
const serviceAccount = (namespace: string, name: string): Subject => ({
  kind: 'ServiceAccount',
  name,
  namespace,
});

/** Who holds each bootstrap role: the binding is named after its role. */
const bindings: Record<string, Subject[]> = {
  'cluster-admin': [group('system:masters')],
  'system:basic-user': [group('system:authenticated')],
  'system:discovery': [group('system:authenticated')],
  // The one role anonymous requests hold: health and version, so probes work without credentials.
  'system:public-info-viewer': [group('system:authenticated'), group('system:unauthenticated')],
  'system:node': [group('system:nodes')],
  'system:node-proxier': [user('system:kube-proxy')],
  'system:kube-scheduler': [user('system:kube-scheduler')],
  'system:kube-controller-manager': [user('system:kube-controller-manager')],
  ...Object.fromEntries(
    Object.keys(controllerRoles).map((name) => [
      `system:controller:${name}`,
      [serviceAccount('kube-system', name)],
    ]),
  ),
};

/** The bootstrap ClusterRoles, fresh objects on every call, ready to be stored. */
export function bootstrapClusterRoles(): ClusterRole[] {
  const all: Record<string, PolicyRule[]> = {
    ...userFacingRoles,
    ...discoveryRoles,
    ...componentRoles,
    ...Object.fromEntries(
      Object.entries(controllerRoles).map(([name, rules]) => [`system:controller:${name}`, rules]),
    ),
  };
  return Object.entries(all).map(([name, rules]) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name, labels: { ...BOOTSTRAP_LABELS }, annotations: { ...AUTOUPDATE } },
    rules: structuredClone(rules),
  }));
}

/** The bootstrap ClusterRoleBindings, fresh objects on every call, ready to be stored. */
export function bootstrapClusterRoleBindings(): ClusterRoleBinding[] {
  return Object.entries(bindings).map(([name, subjects]) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name, labels: { ...BOOTSTRAP_LABELS }, annotations: { ...AUTOUPDATE } },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name },
    subjects: structuredClone(subjects),
  }));
}
