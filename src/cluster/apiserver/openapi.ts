import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { openAPIComponents } from '../api/openapi.ts';
import type { KindType, ResourceType } from '../api/resource-type.ts';
import { sendJSON } from './http.ts';
import type { PathHandler } from './server.ts';

/** The URL of one object of a resource, as OpenAPI paths spell it. */
function itemPath(kind: ResourceType): string {
  const base = kind.group ? `/apis/${kind.group}/${kind.version}` : `/api/${kind.version}`;
  return `${base}${kind.namespaced ? '/namespaces/{namespace}' : ''}/${kind.plural}/{name}`;
}

/**
 * The PATCH operation of a resource, naming its kind and its query parameters. kubectl looks for
 * `fieldValidation` here to learn that the server validates fields itself, and then sends
 * fieldValidation=Strict instead of validating the manifest against the schemas on its side.
 */
function patchOperation(kind: ResourceType): unknown {
  const query = (name: string, type: string) => ({ name, in: 'query', schema: { type, uniqueItems: true } });
  return {
    patch: {
      description: `partially update the specified ${kind.kind}`,
      operationId: `patch${kind.group ? '' : 'Core'}${kind.version[0]!.toUpperCase()}${kind.version.slice(1)}${kind.namespaced ? 'Namespaced' : ''}${kind.kind}`,
      parameters: [
        query('dryRun', 'string'),
        query('fieldManager', 'string'),
        query('fieldValidation', 'string'),
        query('force', 'boolean'),
      ],
      responses: { '200': { description: 'OK' } },
      'x-kubernetes-action': 'patch',
      'x-kubernetes-group-version-kind': { group: kind.group, version: kind.version, kind: kind.kind },
    },
  };
}

interface Document {
  readonly body: Buffer;
  readonly hash: string;
}

/**
 * OpenAPI documents generated from the API's zod schemas: /openapi/v3 lists one document per
 * group-version, which kubectl fetches to validate manifests before sending them and to answer
 * `kubectl explain`; /openapi/v2 is the older single document. Each is built once, on first use.
 */
export class OpenApi {
  private readonly v3 = new Map<string, Document>();
  private v2: Document | undefined;
  private readonly groupVersions: Map<string, ResourceType[]>;

  constructor(
    kinds: readonly ResourceType[],
    private readonly version: string,
  ) {
    this.groupVersions = new Map();
    for (const kind of kinds) {
      const path = kind.group ? `apis/${kind.group}/${kind.version}` : `api/${kind.version}`;
      this.groupVersions.set(path, [...(this.groupVersions.get(path) ?? []), kind]);
    }
  }

  readonly handler: PathHandler = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://apiserver');
    if (url.pathname === '/openapi/v3') {
      const paths: Record<string, { serverRelativeURL: string }> = {};
      for (const path of this.groupVersions.keys()) {
        paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${this.document(path)!.hash}` };
      }
      sendJSON(res, 200, { paths });
      return true;
    }
    if (url.pathname.startsWith('/openapi/v3/')) {
      const doc = this.document(url.pathname.slice('/openapi/v3/'.length));
      if (!doc) return false;
      this.send(res, doc);
      return true;
    }
    if (url.pathname === '/openapi/v2') {
      this.v2 ??= this.build({
        swagger: '2.0',
        info: { title: 'Kubernetes', version: this.version },
        paths: {},
        definitions: this.definitions([...this.groupVersions.values()].flat(), '#/definitions/'),
      });
      this.send(res, this.v2);
      return true;
    }
    return false;
  };

  private document(path: string): Document | undefined {
    const kinds = this.groupVersions.get(path);
    if (!kinds) return undefined;
    let doc = this.v3.get(path);
    if (!doc) {
      doc = this.build({
        openapi: '3.0.0',
        info: { title: 'Kubernetes', version: this.version },
        paths: Object.fromEntries(
          kinds.filter((k) => k.verbs.includes('patch')).map((k) => [itemPath(k), patchOperation(k)]),
        ),
        components: { schemas: this.definitions(kinds, '#/components/schemas/') },
      });
      this.v3.set(path, doc);
    }
    return doc;
  }

  private definitions(kinds: readonly KindType<unknown>[], refPrefix: string): Record<string, unknown> {
    const components = openAPIComponents(kinds);
    if (refPrefix === '#/components/schemas/') return components;
    return JSON.parse(JSON.stringify(components).replaceAll('"#/components/schemas/', `"${refPrefix}`));
  }

  private build(doc: unknown): Document {
    const body = Buffer.from(JSON.stringify(doc));
    return { body, hash: createHash('sha512').update(body).digest('hex').slice(0, 32).toUpperCase() };
  }

  private send(res: ServerResponse, doc: Document): void {
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Content-Length': String(doc.body.length),
      ETag: `"${doc.hash}"`,
      'Cache-Control': 'public, immutable',
    });
    res.end(doc.body);
  }
}
