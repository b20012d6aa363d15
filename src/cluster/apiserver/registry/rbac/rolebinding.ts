/** rolebindings: who gets a role's rules in a namespace; stored as sent. */
import type { ClusterRoleBinding, RoleBinding, Subject } from '../../../api/rbac/rbac.ts';
import { roleBindings as resource } from '../../../api/rbac/register.ts';
import { ageCell, ageColumn, column, nameCell, nameColumn, wideColumn } from '../../tables/columns.ts';
import type { TableConvertor } from '../../tables/types.ts';
import type { ResourceRegistration } from '../registration.ts';
import { asSentCreateOnUpdate } from '../strategy.ts';

/** The subjects of a binding sorted into USERS, GROUPS and SERVICEACCOUNTS, each ", "-joined. */
function subjectCells(subjects: readonly Subject[] | undefined): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const serviceAccounts: string[] = [];
  for (const subject of subjects ?? []) {
    if (subject.kind === 'User') users.push(subject.name);
    else if (subject.kind === 'Group') groups.push(subject.name);
    else if (subject.kind === 'ServiceAccount')
      serviceAccounts.push(`${subject.namespace ?? ''}/${subject.name}`);
  }
  return [users.join(', '), groups.join(', '), serviceAccounts.join(', ')];
}

/**
 * bindingConvertor prints a RoleBinding or ClusterRoleBinding: ROLE as "Kind/name"
 * ("ClusterRole/view"), and with -o wide who the role is granted to. Roles and cluster roles
 * themselves have no printer in Kubernetes and get the default NAME / CREATED AT table.
 */
export function bindingConvertor<T extends RoleBinding | ClusterRoleBinding>(
  what: string,
): TableConvertor<T> {
  return {
    columns: [
      nameColumn,
      column('Role', 'string', 'The Role or ClusterRole this binding grants.'),
      ageColumn,
      wideColumn('Users', 'string', `Users named in the ${what}.`),
      wideColumn('Groups', 'string', `Groups named in the ${what}.`),
      wideColumn('ServiceAccounts', 'string', `Service accounts named in the ${what}, as namespace/name.`),
    ],
    cells(binding, now) {
      return [
        nameCell(binding),
        `${binding.roleRef?.kind ?? ''}/${binding.roleRef?.name ?? ''}`,
        ageCell(binding, now),
        ...subjectCells(binding.subjects),
      ];
    },
  };
}

export const roleBindingConvertor = bindingConvertor<RoleBinding>('role binding');

export const roleBindings: ResourceRegistration<RoleBinding> = {
  resource,
  strategy: asSentCreateOnUpdate,
  printer: roleBindingConvertor,
};
