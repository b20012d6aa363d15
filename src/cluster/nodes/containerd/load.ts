import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { nodeFiles } from '../config.ts';
import { readNodeConfigs } from '../node-dir.ts';
import { importArchive } from './containerd.ts';

/** What loading did on one node. */
export interface LoadResult {
  readonly node: string;
  readonly loaded: boolean;
  readonly note: string;
}

/**
 * loadImageArchive side-loads an image archive (docker save's, or an OCI layout in a tar) into
 * every containerd node of the lab, as `kind load image-archive` does: `ctr images import` into
 * each node's containerd, so pods can run it with no registry. Lab runtime nodes run lab images
 * only and are passed over, saying so.
 */
export async function loadImageArchive(home: string, archive: string): Promise<LoadResult[]> {
  const results: LoadResult[] = [];
  for (const config of await readNodeConfigs(home)) {
    if (config.containerRuntime !== 'containerd') {
      results.push({
        node: config.name,
        loaded: false,
        note: 'runs the lab runtime, which has lab images only',
      });
      continue;
    }
    const socket = nodeFiles(join(home, 'nodes', config.name)).runtimeSocket;
    try {
      await importArchive(socket, archive);
      results.push({ node: config.name, loaded: true, note: 'loaded' });
    } catch (err) {
      results.push({ node: config.name, loaded: false, note: (err as Error).message });
    }
  }
  return results;
}

/** `kind load docker-image`: the image as the Docker engine has it, saved, then loaded into every node. */
export async function loadDockerImage(home: string, image: string): Promise<LoadResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'orch-lab-image-'));
  try {
    const archive = join(dir, 'image.tar');
    await promisify(execFile)('docker', ['save', '--output', archive, image]).catch(
      (err: Error & { stderr?: string }) => {
        throw new Error(`docker save ${image} failed: ${err.stderr?.trim() || err.message}`);
      },
    );
    return await loadImageArchive(home, archive);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
