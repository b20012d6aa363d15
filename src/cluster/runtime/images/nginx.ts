import { readFileSync } from 'node:fs';
import { logTime, remoteAddress, requestLine, staticSite } from './lib/http.ts';
import type { Tool } from './lib/tool.ts';
import { write } from './lib/tool.ts';

/** nginx: the official image's entrypoint notices, then a static server like its default site. */

const version = '1.27.3';

/** nginx's error log time: 2026/11/25 19:00:00. */
function errorLogTime(t = new Date()): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${t.getUTCFullYear()}/${two(t.getUTCMonth() + 1)}/${two(t.getUTCDate())} ${two(t.getUTCHours())}:${two(t.getUTCMinutes())}:${two(t.getUTCSeconds())}`;
}

const entrypoint: Tool = async (io) => {
  const [, ...command] = io.argv;
  if (
    (command[0] === 'nginx' || command[0] === 'nginx-debug') &&
    !io.env.get('NGINX_ENTRYPOINT_QUIET_LOGS')
  ) {
    const me = '/docker-entrypoint.sh';
    await write(
      io.stdout,
      [
        `${me}: /docker-entrypoint.d/ is not empty, will attempt to perform configuration`,
        `${me}: Looking for shell scripts in /docker-entrypoint.d/`,
        `${me}: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh`,
        '10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf',
        '10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf',
        `${me}: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh`,
        `${me}: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh`,
        `${me}: Launching /docker-entrypoint.d/30-tune-worker-processes.sh`,
        `${me}: Configuration complete; ready for start up`,
        '',
      ].join('\n'),
    );
  }
  // exec "$@"
  const tool = command[0] === undefined ? undefined : io.lab.lookup(command[0]);
  if (!tool) {
    await write(io.stderr, `${'/docker-entrypoint.sh'}: exec: line 47: ${command[0]}: not found\n`);
    return 127;
  }
  return tool({ ...io, argv: command });
};

const nginx: Tool = async (io) => {
  const { fs, net, context } = io.lab;
  const pid = context.pid1 ? 1 : process.pid;
  const notice = (text: string) =>
    process.stderr.write(`${errorLogTime()} [notice] ${pid}#${pid}: ${text}\n`);
  if (io.argv.includes('-v') || io.argv.includes('-V')) {
    await write(io.stderr, `nginx version: nginx/${version}\n`);
    return 0;
  }
  // The two directives of conf.d/default.conf a lesson may change through a ConfigMap.
  let conf = '';
  try {
    conf = readFileSync(fs.hostPath('/etc/nginx/conf.d/default.conf'), 'utf8');
  } catch {}
  const port = Number(/^\s*listen\s+(\d+)/m.exec(conf)?.[1] ?? 80);
  const root = /^\s*root\s+([^;\s]+)/m.exec(conf)?.[1] ?? '/usr/share/nginx/html';
  const server = staticSite({
    fs,
    root,
    server: `nginx/${version}`,
    errorPage: (status, reason) =>
      `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n<center><h1>${status} ${reason}</h1></center>\r\n<hr><center>nginx/${version}</center>\r\n</body>\r\n</html>\r\n`,
    accessLog: (req, status, bytes) =>
      process.stdout.write(
        `${remoteAddress(req)} - - [${logTime()}] "${requestLine(req)}" ${status} ${bytes} "${req.headers.referer ?? '-'}" "${req.headers['user-agent'] ?? '-'}" "${req.headers['x-forwarded-for'] ?? '-'}"\n`,
      ),
  });
  await net.listen(server, port, 'nginx');
  notice('using the "epoll" event method');
  notice(`nginx/${version}`);
  notice('built by gcc 12.2.0 (Debian 12.2.0-14)');
  notice(`OS: Linux ${process.platform === 'linux' ? 'orch-lab' : process.platform}`);
  notice('getrlimit(RLIMIT_NOFILE): 1048576:1048576');
  notice('start worker processes');
  notice(`start worker process ${pid + 28}`);
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals, number: number, graceful: boolean) => () => {
      notice(`signal ${number} (${signal}) received, ${graceful ? 'shutting down' : 'exiting'}`);
      if (graceful) notice('gracefully shutting down');
      server.close();
      server.closeAllConnections();
      notice('exiting');
      notice('exit');
      resolve(0);
    };
    process.on('SIGQUIT', stop('SIGQUIT', 3, true));
    process.on('SIGTERM', stop('SIGTERM', 15, false));
    process.on('SIGINT', stop('SIGINT', 2, false));
  });
};

export const programs: Readonly<Record<string, Tool>> = {
  '/docker-entrypoint.sh': entrypoint,
  nginx,
  'nginx-debug': nginx,
};
