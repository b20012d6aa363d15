import type { RuntimeService } from '../../runtime/cri.ts';
import {
  parseStreamOptions,
  type StreamOptions,
  type StreamSession,
  successStatus,
} from './remotecommand.ts';

/** A request the kubelet refuses before any stream opens. */
export class AttachQueryError extends Error {}

/**
 * The query of an attach request, as the kubelet's remotecommand.NewOptions reads it: a tty
 * carries stderr inside stdout, so stderr is dropped with it, and at least one stream is needed.
 */
export function parseAttachQuery(params: URLSearchParams): StreamOptions {
  const options = parseStreamOptions(params);
  const stderr = options.stderr && !options.tty;
  if (!options.stdin && !options.stdout && !stderr)
    throw new AttachQueryError('you must specify at least 1 of stdin, stdout, stderr');
  return { ...options, stderr };
}

/**
 * Joins the client to the container's own streams. `tty` is the container spec's, not the
 * request's: whether the process runs on a terminal was settled when it started (kubelet GetAttach).
 */
export async function attachSession(
  runtime: RuntimeService,
  containerId: string,
  tty: boolean,
  query: StreamOptions,
): Promise<StreamSession> {
  const session = await runtime.attach({
    containerId,
    stdin: query.stdin,
    stdout: query.stdout,
    stderr: query.stderr && !tty,
    tty,
  });
  return {
    ...session,
    status: session.ended.then(() => successStatus),
    hangUp: () => session.detach(),
  };
}
