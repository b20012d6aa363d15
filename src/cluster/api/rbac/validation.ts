/** Validation of rbac.authorization.k8s.io/v1 roles and bindings. */

import type { FieldError } from '../field-error.ts';
import * as field from '../field-error.ts';
import { SelectorError, selectorFromLabelSelector } from '../labels.ts';
import { nameIsDNSSubdomain, nameIsPathSegment } from '../names.ts';
import { validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from '../validation.ts';
import { rbacGroup } from './defaults.ts';
import type {
  ClusterRole,
  ClusterRoleBinding,
  PolicyRule,
  Role,
  RoleBinding,
  RoleRef,
  Subject,
} from './rbac.ts';

function validatePolicyRule(rule: PolicyRule, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (rule.verbs.length === 0)
    errs.push(field.required(field.child(path, 'verbs'), 'verbs must contain at least one value'));
  if (rule.nonResourceURLs?.length) {
    const urlPath = field.child(path, 'nonResourceURLs');
    if (namespaced)
      errs.push(
        field.invalid(urlPath, rule.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'),
      );
    if (rule.apiGroups?.length || rule.resources?.length || rule.resourceNames?.length) {
      errs.push(
        field.invalid(
          urlPath,
          rule.nonResourceURLs,
          'rules cannot apply to both regular resources and non-resource URLs',
        ),
      );
    }
    return errs;
  }
  if (!rule.apiGroups?.length)
    errs.push(
      field.required(field.child(path, 'apiGroups'), 'resource rules must supply at least one api group'),
    );
  if (!rule.resources?.length)
    errs.push(
      field.required(field.child(path, 'resources'), 'resource rules must supply at least one resource'),
    );
  return errs;
}

export function validateRole(role: Role): FieldError[] {
  return [
    ...validateObjectMeta(role.metadata, { namespaced: true, name: nameIsPathSegment }),
    ...(role.rules ?? []).flatMap((r, i) => validatePolicyRule(r, true, field.index('rules', i))),
  ];
}

export function validateClusterRole(role: ClusterRole): FieldError[] {
  const errs = [
    ...validateObjectMeta(role.metadata, { namespaced: false, name: nameIsPathSegment }),
    ...(role.rules ?? []).flatMap((r, i) => validatePolicyRule(r, false, field.index('rules', i))),
  ];
  const aggregation = role.aggregationRule;
  if (aggregation) {
    const selectors = aggregation.clusterRoleSelectors ?? [];
    if (selectors.length === 0) {
      errs.push(
        field.required(
          'aggregationRule.clusterRoleSelectors',
          'at least one clusterRoleSelector required if aggregationRule is non-nil',
        ),
      );
    }
    selectors.forEach((s, i) => {
      const p = field.index('aggregationRule.clusterRoleSelectors', i);
      errs.push(...validateLabelSelector(s, p));
      try {
        selectorFromLabelSelector(s);
      } catch (err) {
        if (!(err instanceof SelectorError)) throw err;
        errs.push(field.invalid(p, field.goLabelSelector(s), 'invalid label selector.'));
      }
    });
  }
  return errs;
}

function validateSubject(subject: Subject, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!subject.name) errs.push(field.required(field.child(path, 'name')));
  const apiGroup = subject.apiGroup ?? '';
  switch (subject.kind) {
    case 'ServiceAccount':
      if (subject.name) {
        errs.push(
          ...nameIsDNSSubdomain(subject.name, false).map((m) =>
            field.invalid(field.child(path, 'name'), subject.name, m),
          ),
        );
      }
      if (apiGroup) errs.push(field.notSupported(field.child(path, 'apiGroup'), apiGroup, ['']));
      if (!namespaced && !subject.namespace) errs.push(field.required(field.child(path, 'namespace')));
      break;
    case 'User':
    case 'Group':
      if (apiGroup !== rbacGroup)
        errs.push(field.notSupported(field.child(path, 'apiGroup'), apiGroup, [rbacGroup]));
      break;
    default:
      errs.push(
        field.notSupported(field.child(path, 'kind'), subject.kind, ['ServiceAccount', 'User', 'Group']),
      );
  }
  return errs;
}

function validateBinding(binding: RoleBinding | ClusterRoleBinding, namespaced: boolean): FieldError[] {
  const errs = validateObjectMeta(binding.metadata, { namespaced, name: nameIsPathSegment });
  const ref = binding.roleRef;
  if (ref.apiGroup !== rbacGroup)
    errs.push(field.notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [rbacGroup]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind)) errs.push(field.notSupported('roleRef.kind', ref.kind, kinds));
  if (!ref.name) errs.push(field.required('roleRef.name'));
  else
    errs.push(...nameIsPathSegment(ref.name, false).map((m) => field.invalid('roleRef.name', ref.name, m)));
  (binding.subjects ?? []).forEach((s, i) => {
    errs.push(...validateSubject(s, namespaced, field.index('subjects', i)));
  });
  return errs;
}

function goRoleRef(ref: RoleRef): field.GoValue {
  return new field.GoValue(
    ref,
    `rbac.RoleRef{APIGroup:${field.goQuote(ref.apiGroup ?? '')}, Kind:${field.goQuote(ref.kind)}, Name:${field.goQuote(ref.name)}}`,
  );
}

/** The role a binding grants is fixed; to grant another, make another binding. */
function validateBindingUpdate(
  binding: RoleBinding | ClusterRoleBinding,
  old: RoleBinding | ClusterRoleBinding,
  namespaced: boolean,
): FieldError[] {
  const errs = [
    ...validateBinding(binding, namespaced),
    ...validateObjectMetaUpdate(binding.metadata, old.metadata),
  ];
  const a = binding.roleRef;
  const b = old.roleRef;
  if (a.apiGroup !== b.apiGroup || a.kind !== b.kind || a.name !== b.name) {
    errs.push(field.invalid('roleRef', goRoleRef(a), 'cannot change roleRef'));
  }
  return errs;
}

export const validateRoleBinding = (b: RoleBinding) => validateBinding(b, true);
export const validateClusterRoleBinding = (b: ClusterRoleBinding) => validateBinding(b, false);
export const validateRoleBindingUpdate = (b: RoleBinding, old: RoleBinding) =>
  validateBindingUpdate(b, old, true);
export const validateClusterRoleBindingUpdate = (b: ClusterRoleBinding, old: ClusterRoleBinding) =>
  validateBindingUpdate(b, old, false);
