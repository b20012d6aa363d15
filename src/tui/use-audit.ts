import { open, stat } from 'node:fs/promises';
import { useEffect, useRef, useState } from 'react';
import { z } from 'zod';
import { REVISION_ANNOTATION } from '../cluster/apiserver/audit.ts';
import { useLab } from './context.ts';
import type { ObjectRef } from './object-ref.ts';

/** The part of an audit.k8s.io/v1 Event line the Flow tab reads. */
const AuditLine = z.object({
  auditID: z.string(),
  verb: z.string(),
  user: z.object({ username: z.string() }),
  userAgent: z.string().optional(),
  objectRef: z
    .object({
      resource: z.string(),
      namespace: z.string().optional(),
      name: z.string().optional(),
      subresource: z.string().optional(),
    })
    .optional(),
  requestURI: z.string(),
  responseStatus: z.object({ code: z.number() }),
  stageTimestamp: z.string(),
  annotations: z.record(z.string(), z.string()).optional(),
});

/** One request in the Flow tab. */
export interface FlowEntry {
  readonly id: string;
  readonly time: string;
  /** When the API server answered, in epoch milliseconds. */
  readonly at: number;
  /** The component from a User-Agent `orch-lab/<component>`, else the user. */
  readonly component: string;
  readonly verb: string;
  /** resource/namespace/name[/subresource], or the path of a non-resource request. */
  readonly object: string;
  readonly code: number;
  /** The store revision a write produced. */
  readonly revision?: string;
  /** The object asked about, when the request named one (a subresource's object is its parent). */
  readonly ref?: ObjectRef;
}

/** How many requests the Flow tab keeps. */
const KEEP = 500;
const POLL_MS = 250;
/** How many seconds of request rates the hook reports. */
const RATE_SECONDS = 60;

/** The audit stream as the UI shows it: the latest requests, and requests per second. */
export interface AuditFlow {
  readonly entries: readonly FlowEntry[];
  /** Requests answered in each of the last RATE_SECONDS whole seconds, oldest first (the one still running left out). */
  readonly perSecond: readonly number[];
}

/** Counts of requests by whole second, kept for RATE_SECONDS. */
class RateCounter {
  private readonly counts = new Map<number, number>();

  add(at: number): void {
    const second = Math.floor(at / 1000);
    this.counts.set(second, (this.counts.get(second) ?? 0) + 1);
  }

  /** The counts of the RATE_SECONDS whole seconds before `now`'s; older seconds are forgotten. */
  window(now: number): number[] {
    const last = Math.floor(now / 1000) - 1;
    for (const second of this.counts.keys()) if (second <= last - RATE_SECONDS) this.counts.delete(second);
    return Array.from({ length: RATE_SECONDS }, (_, i) => this.counts.get(last - RATE_SECONDS + 1 + i) ?? 0);
  }
}

export function flowEntry(line: string): FlowEntry | undefined {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return undefined;
  }
  const parsed = AuditLine.safeParse(json);
  if (!parsed.success) return undefined;
  const e = parsed.data;
  const ref = e.objectRef;
  const agent = e.userAgent?.match(/^orch-lab\/([^\s/]+)/)?.[1];
  return {
    id: e.auditID,
    time: e.stageTimestamp.slice(11, 19),
    at: Date.parse(e.stageTimestamp),
    component: agent ?? e.user.username,
    verb: e.verb,
    object: ref
      ? [ref.resource, ref.namespace, ref.name, ref.subresource].filter(Boolean).join('/')
      : e.requestURI.split('?')[0]!,
    code: e.responseStatus.code,
    revision: e.annotations?.[REVISION_ANNOTATION],
    ref: ref?.name ? { kind: ref.resource, namespace: ref.namespace ?? '', name: ref.name } : undefined,
  };
}

/**
 * useAuditFlow follows $ORCH_LAB_HOME/audit.log, which the API server appends one JSON line per
 * request to (it offers no audit stream over HTTP): the last KEEP requests, newest last, and the
 * rate of requests. State changes only when it shows: the requests while `showEntries` (the Flow
 * tab is open), the rate once a second at most, when a count moved.
 */
export function useAuditFlow(showEntries: boolean): AuditFlow {
  const lab = useLab();
  const [entries, setEntries] = useState<readonly FlowEntry[]>([]);
  const kept = useRef<readonly FlowEntry[]>([]);
  const showing = useRef(showEntries);
  showing.current = showEntries;
  useEffect(() => {
    if (showEntries) setEntries(kept.current);
  }, [showEntries]);
  const [perSecond, setPerSecond] = useState<readonly number[]>([]);
  useEffect(() => {
    const rate = new RateCounter();
    let offset = -1;
    let partial = '';
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const read = async () => {
      const size = await stat(lab.auditLog).then(
        (s) => s.size,
        () => 0,
      );
      // Start near the end of a long log; start again from 0 when the file was replaced.
      if (offset < 0 || size < offset) offset = Math.max(0, size - 256 * 1024);
      if (size > offset) {
        const file = await open(lab.auditLog, 'r');
        try {
          const buffer = Buffer.alloc(size - offset);
          await file.read(buffer, 0, buffer.length, offset);
          offset = size;
          const lines = (partial + buffer.toString('utf8')).split('\n');
          partial = lines.pop() ?? '';
          const fresh = lines.map(flowEntry).filter((e): e is FlowEntry => e !== undefined);
          for (const e of fresh) rate.add(e.at);
          if (fresh.length) kept.current = [...kept.current, ...fresh].slice(-KEEP);
          if (fresh.length && showing.current && !stopped) setEntries(kept.current);
        } finally {
          await file.close();
        }
      }
      const counts = rate.window(Date.now());
      if (!stopped) setPerSecond((old) => (old.join() === counts.join() ? old : counts));
    };
    const loop = async () => {
      await read().catch(() => {});
      if (!stopped) timer = setTimeout(loop, POLL_MS);
    };
    void loop();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [lab]);
  return { entries, perSecond };
}
