/**
 * TokenManager fetches the service-account tokens of projected volumes through TokenRequest and
 * keeps them, after pkg/kubelet/token/token_manager.go: a token is reused until 80% of its life
 * (or 24 hours) has passed, so rewriting a pod's projected volume on every sync does not ask the
 * API server each time.
 */
import type { TokenRequest } from '../api/authentication/token-request.ts';
import type { Pod } from '../api/core/pod.ts';
import { serviceAccounts } from '../api/resources.ts';
import type { RestClient } from '../client/rest-client.ts';
import { type Clock, systemClock } from '../clock/clock.ts';

const MAX_TTL_MS = 24 * 60 * 60 * 1000;

interface Cached {
  readonly token: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

export class TokenManager {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly client: RestClient,
    private readonly clock: Clock = systemClock,
  ) {}

  /** The pod's service-account token for `audience` (the API server's when empty), bound to the pod. */
  async getServiceAccountToken(
    pod: Pod,
    audience: string | undefined,
    expirationSeconds: number,
  ): Promise<string> {
    const namespace = pod.metadata.namespace ?? 'default';
    const account = pod.spec.serviceAccountName ?? 'default';
    const key = JSON.stringify([namespace, account, audience ?? '', expirationSeconds, pod.metadata.uid]);
    const now = this.clock.now();
    const cached = this.cache.get(key);
    if (cached && !this.requiresRefresh(cached, now)) return cached.token;
    const request: TokenRequest = {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: {},
      spec: {
        ...(audience ? { audiences: [audience] } : {}),
        expirationSeconds,
        boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: pod.metadata.name, uid: pod.metadata.uid },
      },
    };
    const answer = await this.client
      .resource(serviceAccounts, namespace)
      .createSubresource<TokenRequest>(account, 'token', request);
    const token = answer.status?.token ?? '';
    this.cache.set(key, {
      token,
      issuedAt: now,
      expiresAt: Date.parse(answer.status?.expirationTimestamp ?? '') || now + expirationSeconds * 1000,
    });
    return token;
  }

  /** Forgets the tokens of a pod that is gone. */
  deletePod(uid: string): void {
    for (const key of this.cache.keys()) if (JSON.parse(key)[4] === uid) this.cache.delete(key);
  }

  private requiresRefresh(cached: Cached, now: number): boolean {
    const ttl = cached.expiresAt - cached.issuedAt;
    return now >= cached.expiresAt || now - cached.issuedAt > Math.min(0.8 * ttl, MAX_TTL_MS);
  }
}
