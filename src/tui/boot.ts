import { type UpOptions, type UpProgress, up } from '../cli/commands/lab.ts';
import { nodes, pods } from '../cluster/api/resources.ts';
import { connectLab, type LabSession } from './lab-session.ts';

const SYNC_TIMEOUT_MS = 10_000;

/** `up` (which attaches to a running lab or starts one), then a session whose pod and node caches are filled. */
export async function bootLab(options: UpOptions, progress: UpProgress): Promise<LabSession> {
  const state = await up(options, progress);
  return progress.step('Connecting to the API server and filling the caches', async () => {
    const session = await connectLab({ home: options.home, kubeconfig: state.kubeconfig, etcd: state.etcd });
    const synced = await Promise.all(
      [session.informer(pods), session.informer(nodes)].map((i) =>
        i.waitForSync(AbortSignal.timeout(SYNC_TIMEOUT_MS)),
      ),
    );
    if (!synced.every(Boolean)) {
      await session.close();
      throw new Error(
        `the API server at ${state.apiServer} did not answer lists within ${SYNC_TIMEOUT_MS / 1000}s`,
      );
    }
    return session;
  });
}
