import { logTime, remoteAddress, requestLine, staticSite } from './lib/http.ts';
import type { Tool } from './lib/tool.ts';

/** httpd: Apache's official image, serving /usr/local/apache2/htdocs with common-log access lines. */

const version = 'Apache/2.4.62 (Unix)';

/** Apache's error log time: [Wed Nov 25 19:00:00.123456 2026]. */
function errorLogTime(t = new Date()): string {
  const [day, date, month, year, time] = t.toUTCString().replace(',', '').split(' ');
  return `[${day} ${month} ${date} ${time}.${String(t.getUTCMilliseconds() * 1000).padStart(6, '0')} ${year}]`;
}

const httpd: Tool = async (io) => {
  const { fs, net, context } = io.lab;
  const pid = context.pid1 ? 1 : process.pid;
  const log = (module: string, text: string) =>
    process.stderr.write(`${errorLogTime()} [${module}:notice] [pid ${pid}:tid ${pid}] ${text}\n`);
  const server = staticSite({
    fs,
    root: '/usr/local/apache2/htdocs',
    server: version,
    errorPage: (status, reason) =>
      `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>${status} ${reason}</title>\n</head><body>\n<h1>${reason}</h1>\n<p>${status === 404 ? 'The requested URL was not found on this server.' : 'The requested method is not allowed for this URL.'}</p>\n</body></html>\n`,
    accessLog: (req, status, bytes) =>
      process.stdout.write(
        `${remoteAddress(req)} - - [${logTime()}] "${requestLine(req)}" ${status} ${bytes || '-'}\n`,
      ),
  });
  await net.listen(server, 80, 'httpd');
  process.stderr.write(
    `AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using ${net.podIP}. Set the 'ServerName' directive globally to suppress this message\n`,
  );
  log('mpm_event', `AH00489: ${version} configured -- resuming normal operations`);
  log('core', "AH00094: Command line: 'httpd -D FOREGROUND'");
  return new Promise((resolve) => {
    const stop = (signal: string) => () => {
      log('mpm_event', `AH00491: caught ${signal}, shutting down`);
      server.close();
      server.closeAllConnections();
      resolve(0);
    };
    process.on('SIGWINCH', stop('SIGWINCH'));
    process.on('SIGTERM', stop('SIGTERM'));
  });
};

export const programs: Readonly<Record<string, Tool>> = { 'httpd-foreground': httpd, httpd };
