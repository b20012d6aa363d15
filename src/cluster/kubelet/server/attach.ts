import { parseStreamOptions, type StreamOptions } from '../../cri/streaming/remotecommand.ts';

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
