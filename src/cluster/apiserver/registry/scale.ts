import { scaleKind } from '../../api/autoscaling/register.ts';
import type { Scale } from '../../api/autoscaling/scale.ts';
import { statusCauses } from '../../api/field-error.ts';
import type { KubeObject } from '../../api/meta.ts';
import { sendJSON } from '../http.ts';
import { applyPatch, patchTypeOf } from '../patch.ts';
import { invalid, methodNotSupported } from '../status.ts';
import { decodeKind } from './decode-kind.ts';
import type { SubresourceHandler } from './registration.ts';

/** How a scalable kind shows its replica count as a Scale, and takes a new one. */
export interface Scalable<T extends KubeObject> {
  /** spec.replicas, status.replicas and the pods' selector as a string ("app=web"). */
  replicas(obj: T): { readonly spec: number; readonly status: number; readonly selector: string };
  setReplicas(obj: T, replicas: number): void;
}

/** toScale shows a workload as the autoscaling/v1 Scale of its replica count. */
export function toScale<T extends KubeObject>(scalable: Scalable<T>, obj: T): Scale {
  const { name, namespace, uid, resourceVersion, creationTimestamp } = obj.metadata;
  const replicas = scalable.replicas(obj);
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: replicas.spec },
    status: { replicas: replicas.status, selector: replicas.selector },
  };
}

/**
 * scaleSubresource serves <workload>/scale: the replica count as an autoscaling/v1 Scale, which
 * `kubectl scale` reads and patches without knowing the workload's kind.
 */
export function scaleSubresource<T extends KubeObject>(scalable: Scalable<T>): SubresourceHandler<T> {
  return async (ctx) => {
    const { info, store, scope } = ctx;
    if (info.verb === 'get') {
      sendJSON(ctx.res, 200, toScale(scalable, await store.get(scope.namespace, info.name)));
      return;
    }
    if (info.verb !== 'update' && info.verb !== 'patch') throw methodNotSupported();
    const body = await ctx.body();
    const patchType = info.verb === 'patch' ? patchTypeOf(ctx.req.headers['content-type']) : undefined;
    const updated = await store
      .guaranteedUpdate(scope, info.name, (current) => {
        const currentScale = toScale(scalable, current);
        const raw = patchType ? applyPatch(patchType, currentScale, body) : body;
        const scale = decodeKind(scaleKind, raw, scope.fieldValidation).obj;
        const errors = scaleKind.validate(scale);
        if (errors.length) throw invalid('autoscaling', 'Scale', info.name, statusCauses(errors));
        if (
          scale.metadata.resourceVersion &&
          scale.metadata.resourceVersion !== current.metadata.resourceVersion
        ) {
          current.metadata.resourceVersion = scale.metadata.resourceVersion;
        }
        scalable.setReplicas(current, scale.spec?.replicas ?? 0);
        return current;
      })
      .catch((err) => Promise.reject(store.storageError(err, info.name)));
    ctx.produced(updated.metadata.resourceVersion);
    sendJSON(ctx.res, 200, toScale(scalable, updated));
  };
}
