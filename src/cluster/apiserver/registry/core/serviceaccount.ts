/** serviceaccounts: stored as sent, with serviceaccounts/token handing out signed tokens. */
import { tokenRequestKind } from '../../../api/authentication/register.ts';
import { pods, serviceAccounts as resource } from '../../../api/core/register.ts';
import type { ServiceAccount } from '../../../api/core/service-account.ts';
import { formatTime } from '../../../api/meta.ts';
import { sendJSON } from '../../http.ts';
import { conflict, invalid, methodNotSupported } from '../../status.ts';
import { ageCell, ageColumn, column, nameCell, nameColumn } from '../../tables/columns.ts';
import type { TableConvertor } from '../../tables/types.ts';
import { decodeKind } from '../decode-kind.ts';
import type { ResourceRegistration, SubresourceHandler } from '../registration.ts';

/** TokenRequest's bounds (pkg/registry/core/serviceaccount/storage/token.go): at least 10 minutes. */
const MIN_TOKEN_SECONDS = 600;
const MAX_TOKEN_SECONDS = 2 ** 32;

/**
 * serviceaccounts/token: TokenRequest, the API kubectl create token and the kubelet's projected
 * service-account tokens use. The token names the ServiceAccount by name and UID and, when bound to
 * a pod, that pod too, so the authenticator can refuse it once either is gone.
 */
const serviceAccountToken: SubresourceHandler<ServiceAccount> = async (ctx, deps) => {
  if (ctx.info.verb !== 'create') throw methodNotSupported();
  const request = decodeKind(tokenRequestKind, await ctx.body(), ctx.scope.fieldValidation).obj;
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
    const pod = await deps.stores(pods).get(ctx.scope.namespace, ref.name);
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

/**
 * The service account printer. SECRETS counts the legacy token secrets listed on the account;
 * since Kubernetes 1.24 none are created, so it is usually 0.
 */
export const serviceAccountConvertor: TableConvertor<ServiceAccount> = {
  columns: [nameColumn, column('Secrets', 'string', 'How many secrets the account lists.'), ageColumn],
  cells(account, now) {
    return [nameCell(account), account.secrets?.length ?? 0, ageCell(account, now)];
  },
};

export const serviceAccounts: ResourceRegistration<ServiceAccount> = {
  resource,
  subresources: { token: serviceAccountToken },
  printer: serviceAccountConvertor,
};
