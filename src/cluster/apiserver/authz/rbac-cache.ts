import type { WatchHandle } from '../../store/types.ts';
import type { ObjectStore, StoredObject } from '../storage/object-store.ts';
import type { ClusterRole, ClusterRoleBinding, RbacSource, Role, RoleBinding } from './rbac.ts';

type Named = StoredObject & { metadata?: { name?: string; namespace?: string } };

/** Watches one storage prefix into a map keyed by "namespace/name". */
class PrefixCache<T extends Named> {
  readonly items = new Map<string, T>();
  private handle: WatchHandle | undefined;

  constructor(
    private readonly storage: ObjectStore,
    private readonly prefix: string,
  ) {}

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
        const key = `${event.object.metadata?.namespace ?? ''}/${event.object.metadata?.name ?? ''}`;
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
  private readonly roles: PrefixCache<Role & Named>;
  private readonly clusterRoles: PrefixCache<ClusterRole & Named>;
  private readonly roleBindings: PrefixCache<RoleBinding & Named>;
  private readonly clusterRoleBindings: PrefixCache<ClusterRoleBinding & Named>;

  constructor(storage: ObjectStore) {
    this.roles = new PrefixCache(storage, '/registry/roles/');
    this.clusterRoles = new PrefixCache(storage, '/registry/clusterroles/');
    this.roleBindings = new PrefixCache(storage, '/registry/rolebindings/');
    this.clusterRoleBindings = new PrefixCache(storage, '/registry/clusterrolebindings/');
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
