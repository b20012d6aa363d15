import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type AuditEvent, REVISION_ANNOTATION } from '../../src/cluster/apiserver/audit.ts';
import { startTestLab, type TestLab } from '../support/lab.ts';

const podFile = join(import.meta.dirname, '../fixtures/seed/pod-definition.yaml');

let lab: TestLab;
const live: AuditEvent[] = [];

beforeAll(async () => {
  lab = await startTestLab({ scheduler: false, controllers: false });
  lab.plane.api.audit.subscribe((event) => live.push(event));
});

afterAll(async () => {
  await lab?.stop();
});

async function auditLog(): Promise<AuditEvent[]> {
  const text = await readFile(join(lab.home, 'audit.log'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditEvent);
}

const podRequests = (events: readonly AuditEvent[], verb: string) =>
  events.filter((e) => e.verb === verb && e.objectRef?.resource === 'pods' && !e.objectRef.subresource);

describe('the audit log', () => {
  it('records kubectl create and get as audit.k8s.io/v1 Events, in the file and live', async () => {
    expect((await lab.kubectl(['create', '-f', podFile])).stdout).toBe('pod/myapp-pod created\n');
    expect((await lab.kubectl(['get', 'pods'])).code).toBe(0);
    const resourceVersion = (
      await lab.kubectl(['get', 'pod', 'myapp-pod', '-o', 'jsonpath={.metadata.resourceVersion}'])
    ).stdout;
    expect(resourceVersion).toMatch(/^\d+$/);

    // The file is written through a stream: wait for the lines to land.
    const events = await vi.waitFor(
      async () => {
        const all = await auditLog();
        expect(podRequests(all, 'get')).toHaveLength(1);
        return all;
      },
      { timeout: 5000, interval: 50 },
    );

    const [create] = podRequests(events, 'create');
    expect(podRequests(events, 'create')).toHaveLength(1);
    expect(create).toMatchObject({
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'Metadata',
      stage: 'ResponseComplete',
      verb: 'create',
      requestURI: expect.stringMatching(/^\/api\/v1\/namespaces\/default\/pods\?/),
      user: {
        username: 'orch-lab-admin',
        groups: expect.arrayContaining(['system:masters', 'system:authenticated']),
      },
      sourceIPs: ['127.0.0.1'],
      userAgent: expect.stringMatching(/^kubectl/),
      objectRef: { resource: 'pods', namespace: 'default', name: 'myapp-pod', apiVersion: 'v1' },
      responseStatus: { metadata: {}, code: 201 },
      annotations: {
        'authorization.k8s.io/decision': 'allow',
        [REVISION_ANNOTATION]: resourceVersion,
      },
    });

    const lists = podRequests(events, 'list');
    expect(lists).toHaveLength(1);
    expect(lists[0]).toMatchObject({
      verb: 'list',
      requestURI: expect.stringMatching(/^\/api\/v1\/namespaces\/default\/pods(\?|$)/),
      user: { username: 'orch-lab-admin' },
      userAgent: expect.stringMatching(/^kubectl/),
      objectRef: { resource: 'pods', namespace: 'default', apiVersion: 'v1' },
      responseStatus: { code: 200 },
    });
    // A read produces no store revision.
    expect(lists[0]!.annotations[REVISION_ANNOTATION]).toBeUndefined();

    // Timestamps are RFC 3339 and in order; IDs are unique.
    for (const event of events) {
      expect(Date.parse(event.stageTimestamp)).toBeGreaterThanOrEqual(
        Date.parse(event.requestReceivedTimestamp),
      );
    }
    expect(new Set(events.map((e) => e.auditID)).size).toBe(events.length);

    // Subscribers (the terminal UI) see exactly what the file holds, in the same order.
    expect(live).toEqual(events);
  });

  it('records a failed request with its code and no revision', async () => {
    const before = live.length;
    const missing = await lab.kubectl(['get', 'pod', 'nope']);
    expect(missing.code).toBe(1);
    const notFound = live.slice(before).find((e) => e.verb === 'get' && e.objectRef?.name === 'nope');
    expect(notFound?.responseStatus.code).toBe(404);
    expect(notFound?.annotations[REVISION_ANNOTATION]).toBeUndefined();
  });
});
