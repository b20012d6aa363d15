/**
 * HostLocalIpam hands out pod IPs from the node's pod CIDR the way the CNI host-local plugin does:
 * the network address and the gateway (.1) are skipped, the lowest free address from .2 upward is
 * taken, and an address is free again once its sandbox is gone. With 127.244.1.0/24 the first pod
 * gets 127.244.1.2 and the last possible one 127.244.1.254 (.255 is the broadcast address).
 */
export class HostLocalIpam {
  private readonly first: number;
  private readonly last: number;
  private readonly used = new Set<number>();

  constructor(readonly cidr: string) {
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
    const prefix = Number(m?.[5]);
    if (!m || prefix > 30) throw new Error(`invalid pod CIDR "${cidr}": want an IPv4 a.b.c.d/n with n <= 30`);
    const size = 2 ** (32 - prefix);
    const network = Math.floor(toNumber(m.slice(1, 5).join('.')) / size) * size;
    this.first = network + 2;
    this.last = network + size - 2;
  }

  /** The lowest free address; throws when the range is used up. */
  allocate(): string {
    for (let n = this.first; n <= this.last; n++) {
      if (!this.used.has(n)) {
        this.used.add(n);
        return toAddress(n);
      }
    }
    throw new Error(`failed to allocate for range ${this.cidr}: no IP addresses available in range set`);
  }

  release(ip: string): void {
    this.used.delete(toNumber(ip));
  }
}

function toNumber(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

function toAddress(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}
