import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { RequestInfo } from './request-info.ts';

/**
 * An audit.k8s.io/v1 Event at the Metadata level: who asked for what, the answer, and (our
 * addition, as an annotation) the store revision the request produced. A learner follows a
 * `kubectl run` through these: the create, the scheduler's binding, the kubelet's status updates.
 */
export interface AuditEvent {
  readonly kind: 'Event';
  readonly apiVersion: 'audit.k8s.io/v1';
  readonly level: 'Metadata';
  readonly auditID: string;
  readonly stage: 'ResponseComplete';
  readonly requestURI: string;
  readonly verb: string;
  readonly user: { readonly username: string; readonly groups: readonly string[] };
  readonly sourceIPs: readonly string[];
  readonly userAgent?: string;
  readonly objectRef?: {
    readonly resource: string;
    readonly namespace?: string;
    readonly name?: string;
    readonly apiGroup?: string;
    readonly apiVersion: string;
    readonly subresource?: string;
  };
  readonly responseStatus: { readonly metadata: Record<string, never>; readonly code: number };
  readonly requestReceivedTimestamp: string;
  readonly stageTimestamp: string;
  readonly annotations: Readonly<Record<string, string>>;
}

/** The annotation that carries the store revision a write produced. */
export const REVISION_ANNOTATION = 'orch-lab.dev/store-revision';

export interface AuditRecord {
  readonly info: RequestInfo;
  readonly uri: string;
  readonly user: { username: string; groups: readonly string[] };
  readonly sourceIP: string;
  readonly userAgent?: string;
  readonly code: number;
  readonly received: Date;
  readonly revision?: string;
  readonly decision?: 'allow' | 'forbid';
}

/**
 * AuditLog writes every request as one JSON line to audit.log and hands it to live subscribers
 * (the terminal UI's Flow view). A subscriber that throws is dropped, never the request.
 */
export class AuditLog {
  private readonly file: WriteStream | undefined;
  /** Requests still finishing while the server stops are recorded live but not written. */
  private closed = false;
  private readonly subscribers = new Set<(event: AuditEvent) => void>();

  constructor(path?: string) {
    this.file = path ? createWriteStream(path, { flags: 'a', mode: 0o600 }) : undefined;
  }

  record(r: AuditRecord): AuditEvent {
    const annotations: Record<string, string> = {};
    if (r.decision) annotations['authorization.k8s.io/decision'] = r.decision;
    if (r.revision) annotations[REVISION_ANNOTATION] = r.revision;
    const i = r.info;
    const event: AuditEvent = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'Metadata',
      auditID: randomUUID(),
      stage: 'ResponseComplete',
      requestURI: r.uri,
      verb: i.verb,
      user: { username: r.user.username, groups: r.user.groups },
      sourceIPs: [r.sourceIP],
      ...(r.userAgent ? { userAgent: r.userAgent } : {}),
      ...(i.isResourceRequest
        ? {
            objectRef: {
              resource: i.resource,
              ...(i.namespace ? { namespace: i.namespace } : {}),
              ...(i.name ? { name: i.name } : {}),
              ...(i.apiGroup ? { apiGroup: i.apiGroup } : {}),
              apiVersion: i.apiVersion,
              ...(i.subresource ? { subresource: i.subresource } : {}),
            },
          }
        : {}),
      responseStatus: { metadata: {}, code: r.code },
      requestReceivedTimestamp: r.received.toISOString(),
      stageTimestamp: new Date().toISOString(),
      annotations,
    };
    if (!this.closed) this.file?.write(`${JSON.stringify(event)}\n`);
    for (const subscriber of this.subscribers) {
      try {
        subscriber(event);
      } catch {
        this.subscribers.delete(subscriber);
      }
    }
    return event;
  }

  subscribe(subscriber: (event: AuditEvent) => void): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  close(): Promise<void> {
    this.closed = true;
    return new Promise((resolve) => (this.file ? this.file.end(resolve) : resolve()));
  }
}
