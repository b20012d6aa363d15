import { type LoadResult, loadDockerImage, loadImageArchive } from '../../cluster/nodes/containerd/load.ts';

/** `orch-lab image load FILE.tar` or `orch-lab image load --docker IMAGE`. */
export async function imageLoad(o: { home: string; source: string; docker: boolean }): Promise<void> {
  const results: LoadResult[] = o.docker
    ? await loadDockerImage(o.home, o.source)
    : await loadImageArchive(o.home, o.source);
  for (const r of results) console.log(`${r.node}: ${r.note}`);
  if (results.length === 0) throw new Error('the lab has no nodes');
  if (!results.some((r) => r.loaded)) throw new Error('no node took the image (containerd nodes do)');
}
