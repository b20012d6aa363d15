import { createHash } from 'node:crypto';
import type { ResourceType } from '../api/resource-type.ts';

/** What discovery publishes about a resource: the API's facts, without schema or behaviour. */
export type DiscoveredResource = Pick<
  ResourceType,
  | 'group'
  | 'version'
  | 'kind'
  | 'plural'
  | 'singular'
  | 'shortNames'
  | 'namespaced'
  | 'verbs'
  | 'categories'
  | 'subresources'
>;

/** The media type of aggregated discovery, which kubectl asks for first and which saves it calls. */
export const AGGREGATED_DISCOVERY_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/**
 * Discovery answers "what does this server serve?" in the documents kubectl reads before
 * anything else: /api and /apis (APIVersions, APIGroupList), /api/v1 and /apis/<g>/<v>
 * (APIResourceList), and the aggregated v2 form of both at once.
 */
export class Discovery {
  private readonly groups: Map<string, DiscoveredResource[]>;

  constructor(served: readonly DiscoveredResource[]) {
    this.groups = new Map();
    for (const s of served) {
      const gv = groupVersion(s.group, s.version);
      this.groups.set(gv, [...(this.groups.get(gv) ?? []), s]);
    }
  }

  apiVersions(serverAddress: string): unknown {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    };
  }

  apiGroupList(): unknown {
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: this.namedGroups().map((g) => this.apiGroup(g)),
    };
  }

  /** /apis/<group>, or undefined when the group is not served. */
  apiGroup(group: string): unknown {
    const versions = [...this.groups.keys()].filter((gv) => gv.startsWith(`${group}/`));
    if (versions.length === 0) return undefined;
    const entries = versions.map((gv) => ({ groupVersion: gv, version: gv.split('/')[1] }));
    return {
      kind: 'APIGroup',
      apiVersion: 'v1',
      name: group,
      versions: entries,
      preferredVersion: entries[0],
    };
  }

  /** /api/v1 or /apis/<group>/<version>, or undefined when not served. */
  apiResourceList(group: string, version: string): unknown {
    const gv = groupVersion(group, version);
    const served = this.groups.get(gv);
    if (!served) return undefined;
    const resources = served.flatMap((s) => [
      {
        name: s.plural,
        singularName: s.singular,
        namespaced: s.namespaced,
        kind: s.kind,
        verbs: s.verbs,
        ...(s.shortNames.length ? { shortNames: s.shortNames } : {}),
        ...(s.categories.length ? { categories: s.categories } : {}),
        storageVersionHash: storageVersionHash(gv, s.kind),
      },
      ...s.subresources.map((sub) => ({
        name: `${s.plural}/${sub.name}`,
        singularName: '',
        namespaced: s.namespaced,
        ...(sub.group !== undefined ? { group: sub.group, version: sub.version } : {}),
        kind: sub.kind,
        verbs: sub.verbs,
      })),
    ]);
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources };
  }

  /** Aggregated discovery (apidiscovery.k8s.io/v2) for /api (core) or /apis (every named group). */
  aggregated(core: boolean): unknown {
    const groups = core ? [''] : this.namedGroups();
    return {
      kind: 'APIGroupDiscoveryList',
      apiVersion: 'apidiscovery.k8s.io/v2',
      metadata: {},
      items: groups.map((group) => ({
        metadata: group ? { name: group } : {},
        versions: [...this.groups.entries()]
          .filter(([gv]) => (group ? gv.startsWith(`${group}/`) : !gv.includes('/')))
          .map(([gv, served]) => ({
            version: gv.split('/').at(-1),
            resources: served.map((s) => ({
              resource: s.plural,
              responseKind: { group: s.group, version: s.version, kind: s.kind },
              scope: s.namespaced ? 'Namespaced' : 'Cluster',
              singularResource: s.singular,
              verbs: s.verbs,
              ...(s.shortNames.length ? { shortNames: s.shortNames } : {}),
              ...(s.categories.length ? { categories: s.categories } : {}),
              ...(s.subresources.length
                ? {
                    subresources: s.subresources.map((sub) => ({
                      subresource: sub.name,
                      responseKind: {
                        group: sub.group ?? s.group,
                        version: sub.version ?? s.version,
                        kind: sub.kind,
                      },
                      verbs: sub.verbs,
                    })),
                  }
                : {}),
            })),
            freshness: 'Current',
          })),
      })),
    };
  }

  private namedGroups(): string[] {
    const names: string[] = [];
    for (const gv of this.groups.keys()) {
      const [group] = gv.split('/');
      if (gv.includes('/') && group && !names.includes(group)) names.push(group);
    }
    return names;
  }
}

const groupVersion = (group: string, version: string) => (group ? `${group}/${version}` : version);

/** A stable hash per stored kind, as kube-apiserver publishes (clients only compare it). */
function storageVersionHash(gv: string, kind: string): string {
  return createHash('sha256').update(`${gv}/${kind}`).digest('base64').slice(0, 11);
}
