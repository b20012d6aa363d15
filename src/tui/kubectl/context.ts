import type { RestClient } from '../../cluster/client/rest-client.ts';
import { isApiError } from '../../cluster/client/rest-client.ts';

/** What a verb of the built-in kubectl works with: the lab's client, the namespace, and its output. */
export interface KubectlContext {
  readonly client: RestClient;
  /** -n, else the kubeconfig context's namespace ("default"). */
  readonly namespace: string;
  /** Where relative -f paths are read from. */
  readonly cwd: string;
  /** Ctrl-C at the prompt: ends a wait (rollout status, delete) and the requests in flight. */
  readonly signal: AbortSignal;
  /** Writes to stdout / stderr (text with its own newlines). */
  out(text: string): void;
  err(text: string): void;
  /** Whether anything went to stdout yet (get's blank line between kinds and "No resources found"). */
  written(): boolean;
  /** Prints an error as kubectl does: "Error from server (NotFound): ..." or "error: ...". */
  reportError(err: unknown): void;
}

/** kubectl's wording for a failure: the server's Status with its reason, or its own error. */
export function errorText(err: unknown): string {
  if (isApiError(err)) return `Error from server (${err.reason || 'InternalError'}): ${err.message}`;
  return `error: ${err instanceof Error ? err.message : String(err)}`;
}
