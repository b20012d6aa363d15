import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { posix } from 'node:path';
import type { ContainerFs } from './fs.ts';

const contentTypes: Record<string, string> = {
  '.html': 'text/html',
  '.htm': 'text/html',
  '.css': 'text/css',
  '.js': 'application/javascript',
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
};

export interface StaticSiteOptions {
  readonly fs: ContainerFs;
  /** The document root as the container sees it, e.g. /usr/share/nginx/html. */
  readonly root: string;
  /** The Server header. */
  readonly server: string;
  /** The page for a status the site does not serve a file for (404, 405). */
  errorPage(status: number, reason: string): string;
  /** One access log line per request, in the server's log format. */
  accessLog(req: IncomingMessage, status: number, bytes: number): void;
}

/**
 * A static file server read from the container's filesystem, so a volume mounted over the
 * document root replaces the image's pages, as with the real servers.
 */
export function staticSite(options: StaticSiteOptions): Server {
  const send = (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    type: string,
    body: Buffer,
    extra = {},
  ) => {
    res.writeHead(status, {
      Server: options.server,
      'Content-Type': type,
      'Content-Length': body.length,
      ...extra,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    options.accessLog(req, status, req.method === 'HEAD' ? 0 : body.length);
  };
  return createServer(async (req, res) => {
    const reason = (status: number) => (status === 404 ? 'Not Found' : 'Method Not Allowed');
    const fail = (status: number) =>
      send(req, res, status, 'text/html', Buffer.from(options.errorPage(status, reason(status))));
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(405);
    let path = posix.normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (path.endsWith('/')) path += 'index.html';
    const host = options.fs.hostPath(posix.join(options.root, path));
    try {
      const info = await stat(host);
      if (info.isDirectory()) {
        res.writeHead(301, { Server: options.server, Location: `${path}/`, 'Content-Length': 0 });
        res.end();
        return options.accessLog(req, 301, 0);
      }
      const body = await readFile(host);
      send(req, res, 200, contentTypes[posix.extname(path)] ?? 'application/octet-stream', body, {
        'Last-Modified': info.mtime.toUTCString(),
        ETag: `"${Math.floor(info.mtimeMs / 1000).toString(16)}-${info.size.toString(16)}"`,
        'Accept-Ranges': 'bytes',
      });
    } catch {
      fail(404);
    }
  });
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** The [25/Nov/2026:19:00:00 +0000] time of the common and combined log formats. */
export function logTime(t = new Date()): string {
  return `${two(t.getUTCDate())}/${months[t.getUTCMonth()]}/${t.getUTCFullYear()}:${two(t.getUTCHours())}:${two(t.getUTCMinutes())}:${two(t.getUTCSeconds())} +0000`;
}

/** The client address without the IPv4-mapped prefix. */
export function remoteAddress(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? '-').replace(/^::ffff:/, '');
}

/** `"GET / HTTP/1.1"` as logs quote the request line. */
export function requestLine(req: IncomingMessage): string {
  return `${req.method} ${req.url} HTTP/${req.httpVersion}`;
}
