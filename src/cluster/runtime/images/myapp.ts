import { createServer } from 'node:http';
import { logTime, remoteAddress, requestLine } from './lib/http.ts';
import type { Tool } from './lib/tool.ts';

/**
 * myapp: the lessons' demo web app. It answers every request with its version (the image tag, set
 * as MYAPP_VERSION by the image), pod name and IP, so a rolling update shows old and new answers.
 */
const myapp: Tool = async (io) => {
  const version = io.env.get('MYAPP_VERSION') ?? 'v1';
  const { net, context } = io.lab;
  const server = createServer((req, res) => {
    const body =
      req.url === '/healthz' ? 'ok\n' : `myapp ${version} | pod ${context.hostname} | ip ${net.podIP}\n`;
    res.writeHead(200, { 'Content-Type': 'text/plain', 'X-App-Version': version }).end(body);
    process.stdout.write(
      `${remoteAddress(req)} - - [${logTime()}] "${requestLine(req)}" 200 ${body.length}\n`,
    );
  });
  await net.listen(server, 80, 'myapp');
  process.stdout.write(`myapp ${version} listening on ${net.podIP}:80\n`);
  return new Promise((resolve) => {
    process.on('SIGTERM', () => {
      process.stdout.write(`myapp ${version}: SIGTERM received, shutting down\n`);
      server.close();
      server.closeAllConnections();
      resolve(0);
    });
  });
};

export const programs: Readonly<Record<string, Tool>> = { myapp };
