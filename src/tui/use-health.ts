import { request } from 'node:https';
import { useEffect, useState } from 'react';
import { leases } from '../cluster/api/resources.ts';
import type { RestConfig } from '../cluster/client/kubeconfig.ts';
import { isNotFound } from '../cluster/client/rest-client.ts';
import { useLab } from './context.ts';

/** One control-plane component as the header shows it. */
export interface ComponentHealth {
  readonly name: string;
  /** unknown: it publishes nothing to judge by (no lease yet). */
  readonly state: 'ok' | 'failed' | 'unknown';
  readonly detail: string;
}

export interface Health {
  readonly components: readonly ComponentHealth[];
  /** Since when the API server has not answered; undefined while it does. */
  readonly unreachableSince?: Date;
  /** The slowest probe of the last round, when it took longer than SLOW_MS. */
  readonly slow?: string;
}

const POLL_MS = 2000;
const SLOW_MS = 1000;
/** The UI's own requests carry it, so the Flow tab can leave them out. */
export const USER_AGENT = 'orch-lab/tui';

/** GET a health path with the client's credentials; any answer counts, only a network failure throws. */
function probe(config: RestConfig, path: string): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, config.server),
      {
        ca: config.certificateAuthority,
        cert: config.clientCertificate,
        key: config.clientKey,
        rejectUnauthorized: !config.insecureSkipTlsVerify,
        headers: { 'User-Agent': USER_AGENT },
        timeout: POLL_MS,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${path}: no answer within ${POLL_MS} ms`)));
    req.on('error', reject);
    req.end();
  });
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * useHealth polls the control plane every 2 s: the API server's /readyz?verbose, the store's etcd
 * face (a count of /registry, which also gives its revision), and the leader-election leases of the
 * scheduler and controller-manager, which is how their liveness is seen from outside.
 */
export function useHealth(): Health {
  const lab = useLab();
  const [health, setHealth] = useState<Health>({ components: [] });
  useEffect(() => {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let unreachableSince: Date | undefined;
    const timed = async <T>(what: string, run: () => Promise<T>) => {
      const started = Date.now();
      try {
        return await run();
      } finally {
        const ms = Date.now() - started;
        if (ms > SLOW_MS) slowest = `${what} took ${(ms / 1000).toFixed(1)} s`;
      }
    };
    let slowest: string | undefined;
    const apiServer = async (): Promise<ComponentHealth> => {
      try {
        const { code, body } = await timed('/readyz', () => probe(lab.client.config, '/readyz?verbose'));
        unreachableSince = undefined;
        const failed = body.split('\n').filter((l) => l.startsWith('[-]'));
        return code === 200
          ? { name: 'kube-apiserver', state: 'ok', detail: 'ready' }
          : { name: 'kube-apiserver', state: 'failed', detail: failed.join(' ') || `readyz ${code}` };
      } catch (err) {
        unreachableSince ??= new Date();
        return { name: 'kube-apiserver', state: 'failed', detail: message(err) };
      }
    };
    const store = async (): Promise<ComponentHealth> => {
      try {
        const answer = await timed('etcd range', () =>
          lab.kv.range({
            key: Buffer.from('/registry/'),
            rangeEnd: Buffer.from('/registry0'),
            countOnly: true,
          }),
        );
        return { name: 'etcd', state: 'ok', detail: `rev ${answer.header.revision}` };
      } catch (err) {
        return { name: 'etcd', state: 'failed', detail: message(err) };
      }
    };
    const lease = async (name: string): Promise<ComponentHealth> => {
      if (unreachableSince) return { name, state: 'unknown', detail: 'API server unreachable' };
      try {
        const { spec } = await lab.client.resource(leases, 'kube-system').get(name);
        const renewed = spec?.renewTime ? Date.parse(spec.renewTime) : 0;
        const fresh = Date.now() - renewed < (spec?.leaseDurationSeconds ?? 15) * 1000;
        return { name, state: fresh ? 'ok' : 'failed', detail: fresh ? 'lease held' : 'lease expired' };
      } catch (err) {
        return { name, state: 'unknown', detail: isNotFound(err) ? 'no lease' : message(err) };
      }
    };
    const poll = async () => {
      slowest = undefined;
      const api = await apiServer();
      const components = [
        api,
        await store(),
        await lease('kube-scheduler'),
        await lease('kube-controller-manager'),
      ];
      if (stopped) return;
      setHealth({ components, unreachableSince, slow: slowest });
      timer = setTimeout(poll, POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [lab]);
  return health;
}
