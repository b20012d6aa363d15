import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestInfo } from '../request-info.ts';
import { type Handler, newRequestContext } from './context.ts';

/**
 * withRequestInfo (with kube's WithRequestReceivedTimestamp) reads what the request asks for
 * before anything else, so every later filter, audit included, can name it.
 */
export function withRequestInfo(next: Handler): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return (req, res) => {
    const received = new Date();
    // The path as sent: URL parsing resolves "." and ".." segments, which would make
    // DELETE .../pods/.. a delete of the namespace. kube-apiserver takes segments as they come.
    const path = (req.url ?? '/').split('?')[0]!;
    const url = new URL(req.url ?? '/', 'https://apiserver');
    const info = requestInfo(req.method ?? 'GET', path, url.searchParams);
    return next(newRequestContext(req, res, url, info, received));
  };
}
