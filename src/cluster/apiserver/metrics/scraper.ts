import { setTimeout as sleep } from 'node:timers/promises';
import type { Node } from '../../api/core/node.ts';
import type { Clock } from '../../clock/clock.ts';
import { KubeletClient, kubeletRefusal } from '../kubelet-client.ts';
import { decodeBatch } from './decode.ts';
import type { MetricsStorage } from './storage.ts';

/** metrics-server's --metric-resolution: how often every node is scraped. */
const METRIC_RESOLUTION_MS = 15_000;
/** How long a kubelet may take to answer (metrics-server's --kubelet-request-timeout). */
const KUBELET_REQUEST_TIMEOUT_MS = 10_000;
/** The gap between the first two scrapes, so the first request has a rate to show. */
const FIRST_WINDOW_MS = 1_000;

export interface ScraperOptions {
  /** The nodes to scrape: the API server reads them from its own store. */
  readonly nodes: () => Promise<readonly Node[]>;
  readonly kubelet: KubeletClient;
  readonly storage: MetricsStorage;
  readonly clock: Clock;
}

/**
 * Scraper is the part of metrics-server that reads every Ready node's /metrics/resource into the
 * storage, every resolution period. It starts on the first metrics request, not with the API
 * server, so a lab nobody asks for metrics spends nothing on it; that first request waits for two
 * scrapes a second apart, so `kubectl top` answers at once instead of after a whole period.
 */
export class Scraper {
  private started: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: ScraperOptions) {}

  /** Resolves once the storage holds at least two scrapes of the nodes that answered. */
  ready(): Promise<void> {
    this.started ??= this.start();
    return this.started;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
  }

  private async start(): Promise<void> {
    if ((await this.scrape()) > 0) await sleep(FIRST_WINDOW_MS);
    await this.scrape();
    if (this.closed) return;
    this.timer = setInterval(() => void this.scrape(), METRIC_RESOLUTION_MS);
    this.timer.unref();
  }

  /** Scrapes every Ready node at once; returns how many answered. A node that fails is left out. */
  private async scrape(): Promise<number> {
    const nodes = (await this.options.nodes().catch(() => [])).filter(isReady);
    // A node that is gone or not Ready has no metrics, nor do its pods.
    this.options.storage.retainNodes(new Set(nodes.map((n) => n.metadata.name ?? '')));
    const results = await Promise.all(
      nodes.map(async (node) => {
        const name = node.metadata.name ?? '';
        const text = await this.fetch(node).catch(() => undefined);
        if (text === undefined) return false;
        this.options.storage.store(name, decodeBatch(text, this.options.clock.now()));
        return true;
      }),
    );
    return results.filter(Boolean).length;
  }

  private async fetch(node: Node): Promise<string> {
    const url = new URL('/metrics/resource', KubeletClient.location(node));
    const response = await this.options.kubelet.get(url, AbortSignal.timeout(KUBELET_REQUEST_TIMEOUT_MS));
    if (response.statusCode !== 200) throw await kubeletRefusal(response);
    const chunks: Buffer[] = [];
    for await (const chunk of response as AsyncIterable<Buffer>) chunks.push(chunk);
    return Buffer.concat(chunks).toString('utf8');
  }
}

function isReady(node: Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}
