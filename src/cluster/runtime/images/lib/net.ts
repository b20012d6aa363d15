import { Resolver } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { isIP, type Server } from 'node:net';
import type { ContainerFs } from './fs.ts';

/**
 * PodNetwork is the pod's network namespace, done by convention: every server binds the pod IP,
 * and "localhost" (or 127.0.0.1, ::1, the pod's hostname) means the pod IP, so two containers of
 * one pod reach each other over localhost as they would on a shared loopback. Every other 127.x
 * address is a real lab address (pods 127.244.N.x, nodes 127.100.0.N) and is left alone.
 */
export class PodNetwork {
  constructor(
    readonly podIP: string,
    private readonly hostname: string,
    private readonly fs: ContainerFs,
  ) {}

  /**
   * Listens on the pod IP; a bind that fails is printed the way the program would see it and the
   * process exits 1, so the container's status says why.
   */
  listen(server: Server, port: number, program: string): Promise<void> {
    return new Promise((resolve) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'EACCES') {
          process.stderr.write(
            `${program}: bind() to ${this.podIP}:${port} failed (13: Permission denied)\n` +
              `${program}: ports below 1024 need root or CAP_NET_BIND_SERVICE; run the lab as root, or ` +
              'allow unprivileged ports: sysctl -w net.ipv4.ip_unprivileged_port_start=0\n',
          );
        } else {
          process.stderr.write(
            `${program}: bind() to ${this.podIP}:${port} failed (${err.code}: ${err.message})\n`,
          );
        }
        process.exit(1);
      });
      server.listen(port, this.podIP, () => resolve());
    });
  }

  /** The address a client connects to for `host`; names go to the pod's DNS server (resolv.conf). */
  async resolve(host: string): Promise<string> {
    const bare = host.replace(/^\[|\]$/g, '');
    // Only the loopback names: other 127.x addresses are the lab's pods, nodes and services.
    if (bare === 'localhost' || bare === '127.0.0.1' || bare === '::1' || bare === this.hostname) {
      return this.podIP;
    }
    if (isIP(bare)) return bare;
    const conf = this.resolvConf();
    if (!conf) throw new Error(`bad address '${host}'`);
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([conf.nameserver]);
    const candidates = host.includes('.')
      ? [host, ...conf.search.map((d) => `${host}.${d}`)]
      : [...conf.search.map((d) => `${host}.${d}`), host];
    for (const name of candidates) {
      const addresses = await resolver.resolve4(name).catch(() => []);
      if (addresses[0]) return addresses[0];
    }
    throw new Error(`bad address '${host}'`);
  }

  /** The first nameserver and the search list of the container's /etc/resolv.conf, if it has one. */
  resolvConf(): { nameserver: string; search: string[] } | undefined {
    let text: string;
    try {
      text = readFileSync(this.fs.hostPath('/etc/resolv.conf'), 'utf8');
    } catch {
      return undefined;
    }
    const nameserver = /^nameserver\s+(\S+)/m.exec(text)?.[1];
    const search = /^search\s+(.+)$/m.exec(text)?.[1]?.trim().split(/\s+/) ?? [];
    return nameserver ? { nameserver, search } : undefined;
  }
}
