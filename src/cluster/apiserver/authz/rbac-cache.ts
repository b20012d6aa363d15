import type { KubeObject } from '../../api/meta.ts';
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from '../../api/rbac/rbac.ts';
import type { ResourceType } from '../../api/resource-type.ts';
import { clusterRoleBindings, clusterRoles, roleBindings, roles } from '../../api/resources.ts';
import type { WatchHandle } from '../../store/types.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { RbacSource } from './rbac.ts';

/** Watches one resource's storage prefix into a map keyed by "namespace/name". */
class PrefixCache<T extends KubeObject> {
  readonly items = new Map<string, T>();
  private handle: WatchHandle | undefined;

  private readonly prefix: string;

  constructor(
    private readonly storage: ObjectStore,
    resource: ResourceType<T>,
  ) {
    this.prefix = `/registry/${resource.storagePrefix}/`;
  }

  async start(): Promise<void> {
    this.handle = await this.storage.watch<T>(
      this.prefix,
      {
        revision: 0,
        recursive: true,
        // The cache starts from the current state, so it can only fall behind by being slow,
        // which the store never lets it be; an expiry is therefore a bug worth shouting about.
        onExpired: (err) => {
          throw err;
        },
      },
      (event) => {
        const key = `${event.object.metadata.namespace ?? ''}/${event.object.metadata.name ?? ''}`;
        if (event.type === 'DELETED') this.items.delete(key);
        else this.items.set(key, event.object);
        return true;
      },
    );
  }

  stop(): void {
    this.handle?.cancel();
  }
}

/**
 * RbacCache feeds the RBAC authorizer from storage as the API server's own informer does, so a
 * RoleBinding a learner creates counts from the moment it is stored.
 */
export class RbacCache implements RbacSource {
  private readonly roles: PrefixCache<Role>;
  private readonly clusterRoles: PrefixCache<ClusterRole>;
  private readonly roleBindings: PrefixCache<RoleBinding>;
  private readonly clusterRoleBindings: PrefixCache<ClusterRoleBinding>;

  constructor(storage: ObjectStore) {
    this.roles = new PrefixCache(storage, roles);
    this.clusterRoles = new PrefixCache(storage, clusterRoles);
    this.roleBindings = new PrefixCache(storage, roleBindings);
    this.clusterRoleBindings = new PrefixCache(storage, clusterRoleBindings);
  }

  async start(): Promise<void> {
    await Promise.all(
      [this.roles, this.clusterRoles, this.roleBindings, this.clusterRoleBindings].map((c) => c.start()),
    );
  }

  stop(): void {
    for (const cache of [this.roles, this.clusterRoles, this.roleBindings, this.clusterRoleBindings])
      cache.stop();
  }

  getRole(namespace: string, name: string): Role | undefined {
    return this.roles.items.get(`${namespace}/${name}`);
  }

  getClusterRole(name: string): ClusterRole | undefined {
    return this.clusterRoles.items.get(`/${name}`);
  }

  listRoleBindings(namespace: string): readonly RoleBinding[] {
    return [...this.roleBindings.items.values()].filter((b) => b.metadata?.namespace === namespace);
  }

  listClusterRoleBindings(): readonly ClusterRoleBinding[] {
    return [...this.clusterRoleBindings.items.values()];
  }
}
