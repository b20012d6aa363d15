/** The service CIDR cluster IPs come from, when kube-apiserver's --service-cluster-ip-range is not given. */
export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';

/** An IPv4 CIDR as kube's ipallocator sees it: usable addresses exclude network and broadcast. */
export class ServiceCIDR {
  readonly base: number;
  readonly size: number;

  constructor(readonly cidr: string) {
    const match = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(cidr);
    const prefix = Number(match?.[2]);
    const address = match ? parseIPv4(match[1]!) : undefined;
    if (address === undefined || prefix < 8 || prefix > 30) {
      throw new Error(`service CIDR ${cidr}: want an IPv4 CIDR with a prefix of 8 to 30 bits`);
    }
    const total = 2 ** (32 - prefix);
    const network = address - (address % total);
    this.base = network + 1;
    this.size = total - 2;
    this.cidr = `${formatIPv4(network)}/${prefix}`;
  }

  /** The offset of an IP in the range, or undefined when it is outside. */
  offsetOf(ip: string): number | undefined {
    const n = parseIPv4(ip);
    if (n === undefined || n < this.base || n >= this.base + this.size) return undefined;
    return n - this.base;
  }

  ipAt(offset: number): string {
    return formatIPv4(this.base + offset);
  }
}

function parseIPv4(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function formatIPv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}
