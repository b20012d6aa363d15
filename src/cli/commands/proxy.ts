import { join } from 'node:path';
import { readProxySocket } from '../../cluster/proxy/index.ts';

/** `orch-lab proxy rules --node NAME`: the rules that node's kube-proxy keeps, as iptables-save prints them. */
export async function proxyRules(o: { home: string; node: string }): Promise<void> {
  const dir = join(o.home, 'nodes', o.node);
  const text = await readProxySocket(dir, '/rules').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED')
      throw new Error(`node ${o.node} has no running kube-proxy (${join(dir, 'proxy.sock')})`);
    throw err;
  });
  process.stdout.write(text);
}

/** `orch-lab proxy listeners --node NAME`: the frontends whose listener that node's proxy holds. */
export async function proxyListeners(o: { home: string; node: string }): Promise<void> {
  process.stdout.write(await readProxySocket(join(o.home, 'nodes', o.node), '/listeners'));
}
