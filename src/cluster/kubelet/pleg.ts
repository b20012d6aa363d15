import { type Clock, sleep } from '../clock/clock.ts';
import { RpcError } from '../cri/client.ts';
import type { CriRuntimeService } from '../cri/services.ts';

/** The kubelet's relist period (pkg/kubelet/pleg: 1 s). */
const RELIST_PERIOD_MS = 1000;

/**
 * runPLEG is the kubelet's pod lifecycle event generator: it tells the kubelet which sandbox's
 * containers changed, so the pod's worker syncs it without waiting for the periodic resync.
 * The evented PLEG listens to the runtime's GetContainerEvents stream; a runtime without it
 * (containerd 1.6 answers UNIMPLEMENTED) gets the generic PLEG, which relists the containers every
 * second and compares their states with the last list's. Runs until `signal` aborts.
 */
export async function runPLEG(
  runtime: CriRuntimeService,
  clock: Clock,
  changed: (podSandboxId: string) => void,
  signal: AbortSignal,
  onError: (err: unknown) => void,
): Promise<void> {
  while (!signal.aborted) {
    const ended = await new Promise<Error | undefined>((resolve) => {
      const stop = () => {
        close();
        resolve(undefined);
      };
      const close = runtime.getContainerEvents(
        (event) => changed(event.podSandboxId),
        (err) => {
          signal.removeEventListener('abort', stop);
          resolve(err);
        },
      );
      signal.addEventListener('abort', stop, { once: true });
    });
    if (!ended) return;
    if (ended instanceof RpcError && ended.code === 'Unimplemented') {
      return relist(runtime, clock, changed, signal, onError);
    }
    onError(ended);
    await sleep(clock, RELIST_PERIOD_MS, signal);
  }
}

/** The generic PLEG: a container whose state moved, appeared or went away wakes its sandbox's pod. */
async function relist(
  runtime: CriRuntimeService,
  clock: Clock,
  changed: (podSandboxId: string) => void,
  signal: AbortSignal,
  onError: (err: unknown) => void,
): Promise<void> {
  let last = new Map<string, { state: string; sandbox: string }>();
  while (!signal.aborted) {
    try {
      const now = new Map(
        (await runtime.listContainers()).map((c) => [c.id, { state: c.state, sandbox: c.podSandboxId }]),
      );
      for (const [id, c] of now) if (last.get(id)?.state !== c.state) changed(c.sandbox);
      for (const [id, c] of last) if (!now.has(id)) changed(c.sandbox);
      last = now;
    } catch (err) {
      onError(err);
    }
    await sleep(clock, RELIST_PERIOD_MS, signal);
  }
}
