/**
 * OpenAPI v3 component schemas generated from the zod schemas, for the API server's /openapi/v3
 * documents (which `kubectl explain` and kubectl's client-side validation read).
 *
 * Schemas are generated for input (what a client may send): fields the server fills in, such
 * as status, stay optional. Definitions keep Kubernetes' names (io.k8s.api.core.v1.Pod), and the
 * top-level kinds carry x-kubernetes-group-version-kind, which is how kubectl finds them.
 */
import { z } from 'zod';
import type { KindType } from './resources.ts';

export type JSONSchema = z.core.JSONSchema.BaseSchema;

/** openAPIComponents returns `components.schemas` for the given kinds and everything they refer to. */
export function openAPIComponents(kinds: readonly KindType<unknown>[]): Record<string, JSONSchema> {
  const components: Record<string, JSONSchema> = {};
  for (const kind of kinds) {
    const doc = z.toJSONSchema(kind.schema, { target: 'openapi-3.0', io: 'input' });
    const rewritten = JSON.parse(
      JSON.stringify(doc).replaceAll('"#/definitions/', '"#/components/schemas/'),
    ) as JSONSchema;
    Object.assign(components, rewritten.definitions as Record<string, JSONSchema>);
  }
  return components;
}
