import { request } from 'node:http';
import { beforeAll, expect } from 'vitest';
import { ServiceCIDR } from '../../src/cluster/allocator/ipallocator.ts';
import type { KubectlResult } from '../support/lab.ts';
import type { ScenarioLabRef } from './lab.ts';

/** Polls `check` until it returns a value, for at most `timeoutMs`; the last value explains a failure. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not so within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The output of a kubectl run that must succeed quietly. */
export const ok = (result: KubectlResult) => {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
};

/** `text` as a regular expression that matches it literally (an IP's dots, say). */
export const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Whether an IPv4 address lies in a CIDR, network and broadcast addresses aside. */
export const inCIDR = (ip: string, cidr: string) => new ServiceCIDR(cidr).offsetOf(ip) !== undefined;

/** GET http://host:port/ from the host: the body, or the error code (ECONNREFUSED, ...). */
export function get(host: string, port: number, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/', headers, agent: false, timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve(body));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.end();
  });
}

/**
 * A namespace of a scenario file's own, made before its cases and left to the runner to delete:
 * scenario files share one lab on Docker (one lab per engine), so their objects must not meet.
 * Answers kubectl in that namespace (an explicit -n later in the arguments still wins).
 */
export function scenarioNamespace(lab: ScenarioLabRef, namespace: string) {
  const kubectl = (args: readonly string[], options?: { input?: string }) =>
    lab().kubectl(['--namespace', namespace, ...args], options);
  beforeAll(async () => {
    ok(await lab().kubectl(['create', 'namespace', namespace]));
    // Pods are admitted only once the namespace's default ServiceAccount exists.
    await eventually(async () =>
      (await kubectl(['get', 'serviceaccount', 'default'])).code === 0 ? true : undefined,
    );
  });
  return {
    kubectl,
    /** One field of an object, by JSONPath. */
    jsonpath: async (kind: string, name: string, path: string) =>
      (await kubectl(['get', kind, name, '-o', `jsonpath={${path}}`])).stdout,
    /** Creates an object from its JSON form. */
    apply: async (object: object) =>
      ok(await kubectl(['apply', '-f', '-'], { input: JSON.stringify(object) })),
  };
}
