import type {
  ClusterRole,
  ClusterRoleBinding,
  PolicyRule,
  Role,
  RoleBinding,
  RoleRef,
  Subject,
} from '../../api/rbac/rbac.ts';
import type { UserInfo } from '../authn.ts';
import type { Attributes } from './attributes.ts';

/**
 * RBAC authorization, rule for rule as kube-apiserver's RBAC authorizer decides: a request is
 * allowed when some rule, reached through a binding whose subjects include the user, covers it.
 * Nothing is ever denied outright; "no rule allows it" is the only way to say no, so adding a
 * binding can only ever grant more.
 *
 * Where rules are looked for:
 *   1. every ClusterRoleBinding, whatever the request's namespace;
 *   2. for a namespaced request, the RoleBindings of that namespace; a RoleBinding may point at a
 *      Role of its namespace or at a ClusterRole, whose rules then apply inside that namespace only.
 */

/**
 * RbacSource is where the authorizer reads roles and bindings: in the API server, an informer
 * cache of the four RBAC resources, so a new RoleBinding counts from the moment the cache sees it.
 * Roles are fetched by name (a binding names exactly one), bindings listed.
 */
export interface RbacSource {
  getRole(namespace: string, name: string): Role | undefined;
  getClusterRole(name: string): ClusterRole | undefined;
  listRoleBindings(namespace: string): readonly RoleBinding[];
  listClusterRoleBindings(): readonly ClusterRoleBinding[];
}

/** Holders of this group may do anything, checked before RBAC, as kube-apiserver does. */
export const SYSTEM_MASTERS = 'system:masters';

export interface AuthorizationDecision {
  /** RBAC never denies: without an allowing rule it has no opinion, and the request is refused. */
  readonly decision: 'Allow' | 'NoOpinion';
  /**
   * When allowed, which binding allowed it, in Kubernetes' words (`RBAC: allowed by
   * ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"`);
   * when not, the bindings whose roles could not be found, or empty. Goes after the forbidden message.
   */
  readonly reason: string;
}

/** The rules a user holds somewhere, and why the list may be incomplete. */
export interface UserRules {
  readonly rules: readonly PolicyRule[];
  readonly evaluationError?: string;
}

/** RBACAuthorizer answers "may this user do this?" from the roles and bindings of an RbacSource. */
export class RBACAuthorizer {
  constructor(private readonly source: RbacSource) {}

  authorize(attributes: Attributes): AuthorizationDecision {
    // kube-apiserver puts a separate authorizer for system:masters in front of RBAC, so the admin
    // keeps every right even if someone deletes the cluster-admin binding.
    if (attributes.user.groups.includes(SYSTEM_MASTERS)) return { decision: 'Allow', reason: '' };
    const errors: string[] = [];
    for (const grant of this.grantsFor(attributes.user, attributes.namespace ?? '')) {
      if ('error' in grant) {
        errors.push(grant.error);
        continue;
      }
      if (grant.rules.some((rule) => ruleAllows(attributes, rule))) {
        return { decision: 'Allow', reason: `RBAC: allowed by ${grant.source}` };
      }
    }
    return { decision: 'NoOpinion', reason: errors.length === 0 ? '' : `RBAC: ${aggregate(errors)}` };
  }

  /**
   * Every rule the user holds in a namespace, cluster-wide ones included, as RBAC's RulesFor lists
   * them for a SelfSubjectRulesReview. Bindings to missing roles make the answer incomplete.
   */
  rulesFor(user: UserInfo, namespace: string): UserRules {
    const rules: PolicyRule[] = [];
    const errors: string[] = [];
    for (const grant of this.grantsFor(user, namespace)) {
      if ('error' in grant) errors.push(grant.error);
      else rules.push(...grant.rules);
    }
    return { rules, ...(errors.length > 0 ? { evaluationError: aggregate(errors) } : {}) };
  }

  /**
   * The rules a user holds in a namespace (cluster-wide ones included), binding by binding, in the
   * order Kubernetes visits them. Lazy, so authorize stops at the first binding that allows.
   */
  private *grantsFor(
    user: UserInfo,
    namespace: string,
  ): Generator<{ source: string; rules: readonly PolicyRule[] } | { error: string }> {
    for (const binding of this.source.listClusterRoleBindings()) {
      const subject = (binding.subjects ?? []).find((s) => appliesTo(user, s, ''));
      if (subject === undefined) continue;
      const rules = this.roleRefRules(binding.roleRef, '');
      if ('error' in rules) {
        yield rules;
        continue;
      }
      const { kind, name } = binding.roleRef;
      const source = `ClusterRoleBinding "${binding.metadata.name}" of ${kind} "${name}" to ${describe(subject, '')}`;
      yield { source, rules: rules.rules };
    }
    if (namespace === '') return;
    for (const binding of this.source.listRoleBindings(namespace)) {
      const subject = (binding.subjects ?? []).find((s) => appliesTo(user, s, namespace));
      if (subject === undefined) continue;
      const rules = this.roleRefRules(binding.roleRef, namespace);
      if ('error' in rules) {
        yield rules;
        continue;
      }
      const { kind, name } = binding.roleRef;
      const bindingName = `${binding.metadata.name}/${namespace}`;
      const source = `RoleBinding "${bindingName}" of ${kind} "${name}" to ${describe(subject, namespace)}`;
      yield { source, rules: rules.rules };
    }
  }

  /** The rules behind a roleRef; a missing role is an error the forbidden message will mention. */
  private roleRefRules(
    ref: RoleRef,
    namespace: string,
  ): { rules: readonly PolicyRule[] } | { error: string } {
    if (ref.kind === 'Role') {
      const role = this.source.getRole(namespace, ref.name);
      return role === undefined
        ? { error: `role.rbac.authorization.k8s.io "${ref.name}" not found` }
        : { rules: role.rules ?? [] };
    }
    if (ref.kind === 'ClusterRole') {
      const role = this.source.getClusterRole(ref.name);
      return role === undefined
        ? { error: `clusterrole.rbac.authorization.k8s.io "${ref.name}" not found` }
        : { rules: role.rules ?? [] };
    }
    return { error: `unsupported role reference kind: "${ref.kind}"` };
  }
}

/**
 * Whether a binding's subject is this user. A ServiceAccount subject without a namespace means the
 * binding's own namespace, so a ClusterRoleBinding must always name one.
 */
function appliesTo(user: UserInfo, subject: Subject, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return user.username === subject.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      const namespace = subject.namespace || bindingNamespace;
      return namespace !== '' && user.username === `system:serviceaccount:${namespace}:${subject.name}`;
    }
    default:
      return false;
  }
}

/** `User "alice"`, `Group "dev"`, or `ServiceAccount "builder/ci"` (name, then namespace). */
function describe(subject: Subject, bindingNamespace: string): string {
  if (subject.kind === 'ServiceAccount') {
    return `ServiceAccount "${subject.name}/${subject.namespace || bindingNamespace}"`;
  }
  return `${subject.kind} "${subject.name}"`;
}

/**
 * Whether one rule covers the request. Resource rules need verb, API group, resource and (when
 * the rule lists any) the object's name to match; non-resource rules need verb and path.
 *
 * Worked examples:
 *   resources ["pods"]       covers pods, not pods/log: a subresource is a resource of its own.
 *   resources ["pods/*"]     covers nothing: the only wildcards are "*" (every resource and
 *                            subresource) and "*" + "/scale" (that subresource of any resource).
 *   resourceNames ["web"]    covers get web, never list: a list names no object.
 *   nonResourceURLs ["/healthz/*"] covers /healthz/etcd but not /healthz.
 */
export function ruleAllows(attributes: Attributes, rule: PolicyRule): boolean {
  if (!matches(rule.verbs, attributes.verb)) return false;
  if (!attributes.isResourceRequest)
    return nonResourceURLMatches(rule.nonResourceURLs ?? [], attributes.path);
  const subresource = attributes.subresource ?? '';
  const resource = attributes.resource ?? '';
  return (
    matches(rule.apiGroups ?? [], attributes.apiGroup ?? '') &&
    resourceMatches(
      rule.resources ?? [],
      subresource === '' ? resource : `${resource}/${subresource}`,
      subresource,
    ) &&
    resourceNameMatches(rule.resourceNames ?? [], attributes.name ?? '')
  );
}

function matches(allowed: readonly string[], requested: string): boolean {
  return allowed.some((item) => item === '*' || item === requested);
}

function resourceMatches(allowed: readonly string[], combined: string, subresource: string): boolean {
  return allowed.some(
    (item) => item === '*' || item === combined || (subresource !== '' && item === `*/${subresource}`),
  );
}

/** An empty list means any name; otherwise the request must name one of them. */
function resourceNameMatches(allowed: readonly string[], name: string): boolean {
  return allowed.length === 0 || allowed.includes(name);
}

/** "*" matches every path; a trailing "*" makes the rest a prefix; anything else must be exact. */
function nonResourceURLMatches(allowed: readonly string[], path: string): boolean {
  return allowed.some(
    (item) =>
      item === '*' || item === path || (item.endsWith('*') && path.startsWith(item.replace(/\*+$/, ''))),
  );
}

/** Kubernetes' error aggregate: one message alone, several as "[a, b]", repeats dropped. */
function aggregate(messages: readonly string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? (unique[0] ?? '') : `[${unique.join(', ')}]`;
}

/**
 * An RbacSource over plain lists, for a fixed policy such as the bootstrap one, and for tests.
 * The API server's own source is its informer cache.
 */
export function staticRbacSource(objects: {
  roles?: readonly Role[];
  clusterRoles?: readonly ClusterRole[];
  roleBindings?: readonly RoleBinding[];
  clusterRoleBindings?: readonly ClusterRoleBinding[];
}): RbacSource {
  const { roles = [], clusterRoles = [], roleBindings = [], clusterRoleBindings = [] } = objects;
  return {
    getRole: (namespace, name) =>
      roles.find((r) => r.metadata.namespace === namespace && r.metadata.name === name),
    getClusterRole: (name) => clusterRoles.find((r) => r.metadata.name === name),
    listRoleBindings: (namespace) => roleBindings.filter((b) => b.metadata.namespace === namespace),
    listClusterRoleBindings: () => clusterRoleBindings,
  };
}
