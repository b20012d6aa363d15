// What every figure gets: the configuration, the control plane under test, and a helper to make
// namespaces and clients. Clients are closed by the figure that opened them.

import { ApiClient } from './client.ts';
import type { ApiServerBenchConfig } from './config.ts';
import type { ControlPlaneProcess } from './control-plane.ts';
import { namespace } from './load.ts';
import type { Row } from './report.ts';

export interface FigureResult {
  readonly rows: Row[];
  readonly notes: string[];
}

export class BenchContext {
  constructor(
    readonly config: ApiServerBenchConfig,
    readonly cp: ControlPlaneProcess,
  ) {}

  client(connections: number): ApiClient {
    return new ApiClient(this.cp.rest, { connections });
  }

  async withClient<T>(connections: number, fn: (client: ApiClient) => Promise<T>): Promise<T> {
    const client = this.client(connections);
    try {
      return await fn(client);
    } finally {
      client.close();
    }
  }

  async createNamespaces(names: readonly string[]): Promise<void> {
    await this.withClient(4, (client) =>
      Promise.all(
        names.map((name) => client.expectOk('POST', '/api/v1/namespaces', { body: namespace(name) })),
      ),
    );
  }
}

export const cpu = (m: { cpuPercent: number; clientCpuPercent: number }) => ({
  server: m.cpuPercent,
  client: m.clientCpuPercent,
});

export const ms = (value: number): string => `${value.toFixed(1)} ms`;
