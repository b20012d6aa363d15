import type { Backend, BackendStats, WalRecord } from './backend.ts';
import { StoppedError } from './errors.ts';

/**
 * MemoryBackend keeps nothing: every append is acknowledged at once and load always starts empty.
 * It is for tests and benchmarks of the store itself, where durability would only add noise.
 */
export class MemoryBackend implements Backend {
  #records = 0;
  #closed = false;

  async load(): Promise<WalRecord[]> {
    return [];
  }

  async append(_record: WalRecord): Promise<void> {
    if (this.#closed) throw new StoppedError();
    this.#records++;
  }

  setSnapshotSource(_capture: () => WalRecord[]): void {}

  stats(): BackendStats {
    return { syncs: 0, records: this.#records, snapshots: 0, sizeBytes: 0 };
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
