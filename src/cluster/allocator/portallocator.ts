/** Node ports, when kube-apiserver's --service-node-port-range is not given. */
export const DEFAULT_NODE_PORT_RANGE = '30000-32767';

/** A node port range, as kube's portallocator sees it: FROM-TO, both ends included. */
export class PortRange {
  readonly base: number;
  readonly size: number;

  constructor(readonly text: string) {
    const match = /^(\d+)-(\d+)$/.exec(text);
    this.base = Number(match?.[1]);
    this.size = Number(match?.[2]) - this.base + 1;
    if (!match || this.base < 1 || this.size < 1 || this.base + this.size - 1 > 65535) {
      throw new Error(`node port range ${text}: want FROM-TO within 1-65535`);
    }
  }

  offsetOf(port: number): number | undefined {
    return port >= this.base && port < this.base + this.size ? port - this.base : undefined;
  }
}
