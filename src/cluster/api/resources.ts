/**
 * The scheme: every resource the API serves, gathered from each group's register.ts in the order
 * discovery lists them, the kinds that only travel as request bodies, and lookups by URL names
 * and by kind. What a resource is lives in resource-type.ts; what the API server does with it
 * lives in its registry module (src/cluster/apiserver/registry/<group>/<resource>).
 */
import { appsResources } from './apps/register.ts';
import { authenticationResources } from './authentication/register.ts';
import { authorizationResources } from './authorization/register.ts';
import { batchResources } from './batch/register.ts';
import { coordinationResources } from './coordination/register.ts';
import { coreResources } from './core/register.ts';
import { type DecodeResult, decode, type FieldValidation } from './decode.ts';
import { discoveryResources } from './discovery/register.ts';
import { DeleteOptions } from './meta.ts';
import { networkingResources } from './networking/register.ts';
import { rbacResources } from './rbac/register.ts';
import { type KindType, noDefaults, type ResourceType } from './resource-type.ts';
import { validateDeleteOptions } from './validation.ts';

export * from './apps/register.ts';
export * from './authentication/register.ts';
export * from './authorization/register.ts';
export { scaleKind } from './autoscaling/register.ts';
export * from './batch/register.ts';
export * from './coordination/register.ts';
export * from './core/register.ts';
export * from './discovery/register.ts';
export * from './networking/register.ts';
export { evictionKind } from './policy/register.ts';
export * from './rbac/register.ts';
export type { KindType, ResourceType, Subresource, SubresourceName } from './resource-type.ts';

/** Every served resource, in the order discovery lists them. */
export const resources: readonly ResourceType[] = [
  ...coreResources,
  ...appsResources,
  ...batchResources,
  ...coordinationResources,
  ...discoveryResources,
  ...networkingResources,
  ...rbacResources,
  ...authorizationResources,
  ...authenticationResources,
];

export const deleteOptionsKind: KindType<DeleteOptions> = {
  group: 'meta.k8s.io',
  version: 'v1',
  kind: 'DeleteOptions',
  schema: DeleteOptions,
  defaults: noDefaults,
  validate: validateDeleteOptions,
};

/** findResource looks a resource up by the names a URL uses: group, version and plural. */
export function findResource(group: string, version: string, plural: string): ResourceType | undefined {
  return resources.find((r) => r.group === group && r.version === version && r.plural === plural);
}

/** findKind looks a resource up by group and kind, e.g. to follow an owner reference. */
export function findKind(group: string, kind: string): ResourceType | undefined {
  return resources.find((r) => r.group === group && r.kind === kind);
}

/** isKnownKind: whether the scheme has `kind` in `group/version`, as kube-apiserver's decoder asks. */
export function isKnownKind(group: string, version: string, kind: string): boolean {
  return resources.some((r) => r.group === group && r.version === version && r.kind === kind);
}

/** decodeAs parses a request body as the given kind and applies its defaults (see decode.ts). */
export function decodeAs<T>(
  type: KindType<T>,
  raw: unknown,
  fieldValidation: FieldValidation,
): DecodeResult<T> {
  const result = decode(type, raw, fieldValidation);
  if (result.ok) type.defaults(result.object);
  return result;
}
