import type { Binding } from '../../api/core/binding.ts';
import type { Namespace } from '../../api/core/namespace.ts';
import type { Pod } from '../../api/core/pod.ts';
import { statusCauses } from '../../api/field-error.ts';
import { formatTime } from '../../api/meta.ts';
import {
  decodeAs,
  evictionKind,
  findResource,
  type KindType,
  type ResourceType,
  scaleKind,
  selfSubjectRulesReviews as selfSubjectRulesReviewKind,
  tokenRequestKind,
} from '../../api/resources.ts';
import type { ServiceAccountTokenGenerator, UserInfo } from '../authn.ts';
import type { Attributes } from '../authz/attributes.ts';
import type { AuthorizationDecision, UserRules } from '../authz/rbac.ts';
import type { ResourceRequest, SubresourceHandler } from '../handlers/resource.ts';
import { sendJSON } from '../http.ts';
import type { StoreLookup } from '../index.ts';
import type { KubeletClient } from '../kubelet-client.ts';
import { applyPatch, patchTypeOf } from '../patch.ts';
import { badRequest, conflict, invalid, methodNotSupported } from '../status.ts';
import { podAttach, podExec, podLog, podPortForward } from './pod-connect.ts';
import type { KubeObject } from './strategy.ts';

export interface SubresourceDeps {
  readonly stores: StoreLookup;
  readonly authorize: (attributes: Attributes) => AuthorizationDecision;
  /** How pods/log, pods/exec, pods/attach and pods/portforward reach the kubelets. */
  readonly kubelet: KubeletClient;
  readonly rulesFor: (user: UserInfo, namespace: string) => UserRules;
  /** Signs the tokens serviceaccounts/token hands out. */
  readonly tokens: ServiceAccountTokenGenerator;
}

/** A success Status, as kube-apiserver answers a binding or an eviction. */
const success = (code: number) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Success',
  code,
});

function decodeOrThrow<T>(type: KindType<T>, raw: unknown, fieldValidation: 'Strict' | 'Warn' | 'Ignore'): T {
  const result = decodeAs(type, raw, fieldValidation);
  if (result.ok) return result.object;
  if (result.reason === 'BadRequest') throw badRequest(result.message);
  throw invalid(type.group, type.kind, '', statusCauses(result.errors));
}

/**
 * pods/binding: the scheduler's way of placing a pod. It sets spec.nodeName once (a bound pod is
 * never moved) and records the PodScheduled condition.
 */
const podBinding: SubresourceHandler = async (ctx) => {
  if (ctx.info.verb !== 'create') throw methodNotSupported();
  const binding = (await ctx.body()) as Binding;
  const node = binding?.target?.name;
  if (!node)
    throw invalid('', 'Binding', ctx.info.name, [
      { reason: 'FieldValueRequired', message: 'Required value', field: 'target.name' },
    ]);
  // Like kube-apiserver's assignPod, the node and the PodScheduled condition go in one write,
  // past the update rules that keep a pod's spec immutable for clients.
  const pod = await ctx.store.systemUpdate(ctx.scope.namespace, ctx.info.name, (current) => {
    const p = current as unknown as Pod;
    if (p.metadata.deletionTimestamp) {
      throw conflict(
        ctx.store.groupResource,
        ctx.info.name,
        'pod is being deleted, cannot be assigned to a host',
      );
    }
    if (p.spec.nodeName) {
      throw conflict(
        ctx.store.groupResource,
        ctx.info.name,
        `pod ${ctx.info.name} is already assigned to node "${p.spec.nodeName}"`,
      );
    }
    p.spec.nodeName = node;
    // The binding's annotations land on the pod in the same write (setPodHostAndAnnotations).
    const annotations = binding.metadata?.annotations;
    if (annotations) p.metadata.annotations = { ...p.metadata.annotations, ...annotations };
    const conditions = (p.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
    conditions.push({
      type: 'PodScheduled',
      status: 'True',
      lastProbeTime: null,
      lastTransitionTime: formatTime(Date.now()),
    } as never);
    p.status = { ...p.status, conditions };
    return current;
  });
  ctx.produced(pod.metadata.resourceVersion);
  sendJSON(ctx.res, 201, success(201));
};

/**
 * namespaces/finalize: how the namespace controller says its work is done. The update sets
 * spec.finalizers (which the main resource keeps as they are); when none are left on a namespace
 * being deleted, the namespace is removed.
 */
const namespaceFinalize: SubresourceHandler = async (ctx) => {
  if (ctx.info.verb !== 'update') throw methodNotSupported();
  const body = (await ctx.body()) as Namespace | null;
  const finalizers = body?.spec?.finalizers ?? [];
  const updated = await ctx.store
    .guaranteedUpdate(
      ctx.scope,
      ctx.info.name,
      (current) => {
        const ns = current as unknown as Namespace;
        const version = body?.metadata?.resourceVersion;
        if (version) ns.metadata.resourceVersion = version;
        ns.spec = { ...ns.spec, finalizers: finalizers.length > 0 ? finalizers : undefined };
        return current;
      },
      'finalize',
    )
    .catch((err) => Promise.reject(ctx.store.storageError(err, ctx.info.name)));
  ctx.produced(updated.metadata.resourceVersion);
  sendJSON(ctx.res, 200, updated);
};

/** pods/eviction: a polite delete (drain uses it); without PodDisruptionBudgets it always succeeds. */
const podEviction: SubresourceHandler = async (ctx) => {
  if (ctx.info.verb !== 'create') throw methodNotSupported();
  const eviction = decodeOrThrow(evictionKind, await ctx.body(), ctx.scope.fieldValidation);
  const options = eviction.deleteOptions ?? {};
  const deleted = await ctx.store.delete(ctx.info.name, ctx.scope, {
    gracePeriodSeconds: options.gracePeriodSeconds ?? undefined,
    propagationPolicy:
      (options.propagationPolicy as 'Background' | 'Foreground' | 'Orphan' | undefined) ?? undefined,
  });
  ctx.produced(deleted.metadata.resourceVersion);
  sendJSON(ctx.res, 201, success(201));
};

/**
 * <workload>/scale: the replica count as an autoscaling/v1 Scale, which `kubectl scale` reads
 * and patches without knowing the workload's kind.
 */
function scaleHandler(type: ResourceType): SubresourceHandler {
  const scalable = type.scale!;
  const asType = (obj: KubeObject) => obj as unknown as Parameters<typeof scalable.toScale>[0];
  return async (ctx: ResourceRequest) => {
    const { info, store, scope } = ctx;
    if (info.verb === 'get') {
      sendJSON(ctx.res, 200, scalable.toScale(asType(await store.get(scope.namespace, info.name))));
      return;
    }
    if (info.verb !== 'update' && info.verb !== 'patch') throw methodNotSupported();
    const body = await ctx.body();
    const patchType = info.verb === 'patch' ? patchTypeOf(ctx.req.headers['content-type']) : undefined;
    const updated = await store
      .guaranteedUpdate(scope, info.name, (current) => {
        const currentScale = scalable.toScale(asType(current));
        const raw = patchType ? applyPatch(patchType, currentScale, body) : body;
        const scale = decodeOrThrow(scaleKind, raw, scope.fieldValidation);
        const errors = scaleKind.validate(scale);
        if (errors.length) throw invalid('autoscaling', 'Scale', info.name, statusCauses(errors));
        if (
          scale.metadata.resourceVersion &&
          scale.metadata.resourceVersion !== current.metadata.resourceVersion
        ) {
          current.metadata.resourceVersion = scale.metadata.resourceVersion;
        }
        scalable.setReplicas(asType(current), scale.spec?.replicas ?? 0);
        return current;
      })
      .catch((err) => Promise.reject(store.storageError(err, info.name)));
    ctx.produced(updated.metadata.resourceVersion);
    sendJSON(ctx.res, 200, scalable.toScale(asType(updated)));
  };
}

interface ResourceAttributesBody {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

/** selfsubjectaccessreviews: `kubectl auth can-i` asks the authorizer about the caller. */
function selfSubjectAccessReview(deps: SubresourceDeps): SubresourceHandler {
  return async (ctx) => {
    if (ctx.info.verb !== 'create') throw methodNotSupported();
    // A JSON null decodes as an empty review, which then lacks its attributes.
    const review = ((await ctx.body()) ?? {}) as {
      spec?: {
        resourceAttributes?: ResourceAttributesBody;
        nonResourceAttributes?: { path?: string; verb?: string };
      };
    };
    const resource = review.spec?.resourceAttributes;
    const nonResource = review.spec?.nonResourceAttributes;
    if (!resource && !nonResource) {
      throw invalid('authorization.k8s.io', 'SelfSubjectAccessReview', '', [
        {
          reason: 'FieldValueRequired',
          message:
            'Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified',
          field: 'spec.resourceAttributes',
        },
      ]);
    }
    const decision = deps.authorize(
      resource
        ? {
            user: ctx.user,
            verb: resource.verb ?? '',
            isResourceRequest: true,
            path: '',
            apiGroup: resource.group ?? '',
            apiVersion: resource.version ?? '',
            resource: resource.resource ?? '',
            subresource: resource.subresource ?? '',
            namespace: resource.namespace ?? '',
            name: resource.name ?? '',
          }
        : {
            user: ctx.user,
            verb: nonResource?.verb ?? '',
            isResourceRequest: false,
            path: nonResource?.path ?? '',
          },
    );
    sendJSON(ctx.res, 201, {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: review.spec,
      status: {
        allowed: decision.decision === 'Allow',
        ...(decision.reason ? { reason: decision.reason } : {}),
      },
    });
  };
}

/** selfsubjectrulesreviews: `kubectl auth can-i --list` asks for everything the caller may do in a namespace. */
function selfSubjectRulesReview(deps: SubresourceDeps): SubresourceHandler {
  return async (ctx) => {
    if (ctx.info.verb !== 'create') throw methodNotSupported();
    const review = decodeOrThrow(
      selfSubjectRulesReviewKind,
      (await ctx.body()) ?? {},
      ctx.scope.fieldValidation,
    );
    const { rules, evaluationError } = deps.rulesFor(ctx.user, review.spec.namespace ?? '');
    sendJSON(ctx.res, 201, {
      kind: 'SelfSubjectRulesReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: review.spec,
      status: {
        resourceRules: rules
          .filter((rule) => rule.resources?.length)
          .map(({ verbs, apiGroups, resources, resourceNames }) => ({
            verbs,
            apiGroups,
            resources,
            resourceNames,
          })),
        nonResourceRules: rules
          .filter((rule) => rule.nonResourceURLs?.length)
          .map(({ verbs, nonResourceURLs }) => ({ verbs, nonResourceURLs })),
        incomplete: evaluationError !== undefined,
        ...(evaluationError ? { evaluationError } : {}),
      },
    });
  };
}

/** selfsubjectreviews: `kubectl auth whoami` asks who the server takes the caller to be. */
const selfSubjectReview: SubresourceHandler = async (ctx) => {
  if (ctx.info.verb !== 'create') throw methodNotSupported();
  await ctx.body();
  const { username, uid, groups, extra } = ctx.user;
  sendJSON(ctx.res, 201, {
    kind: 'SelfSubjectReview',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { creationTimestamp: null },
    status: { userInfo: { username, ...(uid ? { uid } : {}), groups, ...(extra ? { extra } : {}) } },
  });
};

/** TokenRequest's bounds (pkg/registry/core/serviceaccount/storage/token.go): at least 10 minutes. */
const MIN_TOKEN_SECONDS = 600;
const MAX_TOKEN_SECONDS = 2 ** 32;

/**
 * serviceaccounts/token: TokenRequest, the API kubectl create token and the kubelet's projected
 * service-account tokens use. The token names the ServiceAccount by name and UID and, when bound to
 * a pod, that pod too, so the authenticator can refuse it once either is gone.
 */
function serviceAccountToken(deps: SubresourceDeps): SubresourceHandler {
  return async (ctx) => {
    if (ctx.info.verb !== 'create') throw methodNotSupported();
    const request = decodeOrThrow(tokenRequestKind, await ctx.body(), ctx.scope.fieldValidation);
    const account = await ctx.store.get(ctx.scope.namespace, ctx.info.name);
    const seconds = request.spec.expirationSeconds ?? 3600;
    if (seconds < MIN_TOKEN_SECONDS || seconds > MAX_TOKEN_SECONDS) {
      throw invalid('authentication.k8s.io', 'TokenRequest', ctx.info.name, [
        {
          reason: 'FieldValueInvalid',
          field: 'spec.expirationSeconds',
          message: `Invalid value: ${seconds}: may not specify a duration less than 10 minutes or greater than 2^32 seconds`,
        },
      ]);
    }
    const ref = request.spec.boundObjectRef;
    let boundPod: { name: string; uid: string } | undefined;
    if (ref?.kind === 'Pod' && ref.name) {
      const pod = await deps.stores('', 'pods').get(ctx.scope.namespace, ref.name);
      if (ref.uid && ref.uid !== pod.metadata.uid) {
        throw conflict(
          ctx.store.groupResource,
          ctx.info.name,
          `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
        );
      }
      boundPod = { name: ref.name, uid: pod.metadata.uid ?? '' };
    }
    const { token, expirationTimestamp } = await deps.tokens.generateToken({
      namespace: ctx.scope.namespace,
      name: ctx.info.name,
      uid: account.metadata.uid ?? '',
      boundPod,
      audiences: request.spec.audiences?.length ? request.spec.audiences : undefined,
      expirationSeconds: seconds,
    });
    sendJSON(ctx.res, 201, {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name: ctx.info.name, namespace: ctx.scope.namespace, creationTimestamp: null },
      spec: { ...request.spec, expirationSeconds: seconds },
      status: { token, expirationTimestamp: formatTime(expirationTimestamp.getTime()) },
    });
  };
}

export function builtinSubresources(deps: SubresourceDeps): ReadonlyMap<string, SubresourceHandler> {
  const handlers = new Map<string, SubresourceHandler>([
    ['namespaces/finalize', namespaceFinalize],
    ['pods/binding', podBinding],
    ['pods/eviction', podEviction],
    ['pods/log', podLog(deps)],
    ['pods/exec', podExec(deps)],
    ['pods/attach', podAttach(deps)],
    ['pods/portforward', podPortForward(deps)],
    ['selfsubjectaccessreviews/', selfSubjectAccessReview(deps)],
    ['selfsubjectreviews/', selfSubjectReview],
    ['selfsubjectrulesreviews/', selfSubjectRulesReview(deps)],
    ['serviceaccounts/token', serviceAccountToken(deps)],
  ]);
  for (const plural of ['deployments', 'replicasets', 'replicationcontrollers']) {
    const type = findResource(plural === 'replicationcontrollers' ? '' : 'apps', 'v1', plural);
    if (type?.scale) handlers.set(`${plural}/scale`, scaleHandler(type));
  }
  return handlers;
}
