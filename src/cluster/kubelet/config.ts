import type { Taint } from '../api/core/node.ts';
import type { RestClient } from '../client/rest-client.ts';
import type { Clock } from '../clock/clock.ts';
import type { CriImageService, CriRuntimeService } from '../cri/services.ts';

/** The kubelet's serving certificate and the CA its clients' certificates must come from, PEM. */
export interface KubeletServerOptions {
  /** 10250 as a real kubelet; 0 picks a free port (tests). */
  readonly port: number;
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

/**
 * What the node agent hands the kubelet: who the node is, how to reach the API server and the
 * runtime, and KubeletConfiguration's timings. The real defaults are long (status every 10 s,
 * lease renewed every 10 s, back-off from 10 s to 5 min); the lab keeps the back-off and shortens
 * the heartbeat so a learner sees a node come and go quickly. Tests pass smaller ones.
 */
export interface KubeletOptions {
  readonly nodeName: string;
  readonly nodeIP: string;
  readonly podCIDR: string;
  /** Signed in as system:node:<nodeName> (group system:nodes). */
  readonly client: RestClient;
  /** The node's container runtime, over CRI: the lab runtime or containerd. */
  readonly runtime: CriRuntimeService;
  readonly images: CriImageService;
  /** The node's directory; a pod's volumes live under rootDir/pods/<uid>/volumes/<plugin>/<name>. */
  readonly rootDir: string;
  readonly capacity: { readonly cpu: string; readonly memory: string; readonly pods: string };
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  readonly server: KubeletServerOptions;
  readonly clock?: Clock;
  /** nodeLeaseDurationSeconds: how long the Lease says the node may stay silent (40). */
  readonly nodeLeaseDurationSeconds?: number;
  /** How often the Lease is renewed, in ms (2 s in the lab). */
  readonly nodeLeaseRenewIntervalMs?: number;
  /** nodeStatusUpdateFrequency in ms (10 s). */
  readonly nodeStatusUpdateFrequencyMs?: number;
  /** The first restart delay of a crashing container and its cap, in ms (10 s doubling to 300 s). */
  readonly crashLoopBackOff?: BackOffSettings;
  /** The same for image pulls that failed. */
  readonly imagePullBackOff?: BackOffSettings;
  /** How often every pod is synced even when nothing happened, in ms (syncFrequency; 10 s). */
  readonly syncFrequencyMs?: number;
  /** Problems the kubelet works around (a failed write, a sync that will be retried); console.error unless given. */
  readonly onError?: (err: unknown) => void;
}

export interface BackOffSettings {
  readonly initialMs: number;
  readonly maxMs: number;
}

/** KubeletOptions with every default filled in. */
export type KubeletConfig = Required<Omit<KubeletOptions, 'clock'>> & { readonly clock: Clock };

export const DEFAULTS = {
  nodeLeaseDurationSeconds: 40,
  nodeLeaseRenewIntervalMs: 2_000,
  nodeStatusUpdateFrequencyMs: 10_000,
  crashLoopBackOff: { initialMs: 10_000, maxMs: 300_000 },
  imagePullBackOff: { initialMs: 10_000, maxMs: 300_000 },
  syncFrequencyMs: 10_000,
} as const;
