import { Resolver } from 'node:dns/promises';
import { createWriteStream } from 'node:fs';
import { request } from 'node:http';
import type { Writable } from 'node:stream';
import { type Tool, write } from '../lib/tool.ts';

/** busybox wget: -q, -O FILE (- for stdout), -T SECONDS, -S; http only. */
export const wget: Tool = async (io) => {
  let quiet = false;
  let output: string | undefined;
  let timeoutSeconds = 900;
  let showHeaders = false;
  let url: string | undefined;
  const args = io.argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-O') output = args[++i];
    else if (arg.startsWith('-O')) output = arg.slice(2);
    else if (arg === '-T') timeoutSeconds = Number(args[++i]);
    else if (arg.startsWith('-') && arg.length > 1) {
      // Combined flags: -qO- , -qO file, -qS.
      for (let j = 1; j < arg.length; j++) {
        const flag = arg[j];
        if (flag === 'q') quiet = true;
        else if (flag === 'S') showHeaders = true;
        else if (flag === 'O') {
          output = arg.slice(j + 1) || args[++i];
          break;
        } else if (flag === 'T') {
          timeoutSeconds = Number(arg.slice(j + 1) || args[++i]);
          break;
        }
      }
    } else url = arg;
  }
  if (!url) {
    await write(
      io.stderr,
      'BusyBox v1.37.0 multi-call binary.\n\nUsage: wget [-cqS] [-O FILE] [-T SEC] URL...\n',
    );
    return 1;
  }
  const parsed = new URL(/^[a-z]+:\/\//.test(url) ? url : `http://${url}`);
  if (parsed.protocol !== 'http:') {
    await write(io.stderr, `wget: not an http or ftp url: ${url}\n`);
    return 1;
  }
  let address: string;
  try {
    address = await io.lab.net.resolve(parsed.hostname);
  } catch (err) {
    await write(io.stderr, `wget: ${(err as Error).message}\n`);
    return 1;
  }
  const port = Number(parsed.port || 80);
  if (!quiet) await write(io.stderr, `Connecting to ${parsed.host} (${address}:${port})\n`);
  return new Promise<number>((resolve) => {
    const req = request(
      {
        host: address,
        port,
        // From the pod IP, so servers see (and log) the pod as the client.
        localAddress: io.lab.net.podIP,
        path: `${parsed.pathname}${parsed.search}`,
        headers: { host: parsed.host, 'user-agent': 'Wget' },
      },
      (res) => {
        if (showHeaders) {
          void write(io.stderr, `  HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}\n`);
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            void write(io.stderr, `  ${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}\n`);
          }
        }
        if ((res.statusCode ?? 0) >= 400) {
          res.resume();
          void write(
            io.stderr,
            `wget: server returned error: HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}\n`,
          ).then(() => resolve(1));
          return;
        }
        const file = output ?? (parsed.pathname.split('/').pop() || 'index.html');
        let sink: Writable;
        if (file === '-') {
          if (!quiet) void write(io.stderr, 'writing to stdout\n');
          sink = io.stdout;
        } else {
          if (!quiet) void write(io.stderr, `saving to '${file}'\n`);
          try {
            sink = createWriteStream(io.lab.fs.writableHostPath(file, io.cwd));
          } catch (err) {
            res.resume();
            void write(io.stderr, `wget: can't open '${file}': ${(err as Error).message}\n`).then(() =>
              resolve(1),
            );
            return;
          }
        }
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          sink.write(chunk);
        });
        res.on('end', async () => {
          if (sink !== io.stdout) await new Promise((done) => sink.end(done));
          if (!quiet) {
            const label = file === '-' ? 'stdout' : file;
            await write(io.stderr, `${label.padEnd(20)} 100% |${'*'.repeat(32)}| ${size}  0:00:00 ETA\n`);
            if (file !== '-') await write(io.stderr, `'${file}' saved\n`);
          }
          resolve(0);
        });
      },
    );
    req.setTimeout(timeoutSeconds * 1000, () => {
      req.destroy();
      void write(io.stderr, 'wget: download timed out\n').then(() => resolve(1));
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (req.destroyed && err.message === 'socket hang up') return;
      const reason = err.code === 'ECONNREFUSED' ? 'Connection refused' : err.message;
      void write(io.stderr, `wget: can't connect to remote host (${address}): ${reason}\n`).then(() =>
        resolve(1),
      );
    });
    io.signal.addEventListener('abort', () => req.destroy(), { once: true });
    req.end();
  });
};

/** busybox nslookup NAME [SERVER], asking the pod's DNS server from /etc/resolv.conf. */
export const nslookup: Tool = async (io) => {
  const [name, server] = io.argv.slice(1).filter((a) => !a.startsWith('-'));
  if (!name) {
    await write(io.stderr, 'BusyBox v1.37.0 multi-call binary.\n\nUsage: nslookup HOST [DNS_SERVER]\n');
    return 1;
  }
  const conf = io.lab.net.resolvConf();
  // Without a resolv.conf busybox asks 127.0.0.1, where nothing answers inside a pod.
  const nameserver = server ?? conf?.nameserver;
  if (!nameserver) {
    await write(io.stdout, ';; connection timed out; no servers could be reached\n\n');
    return 1;
  }
  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  resolver.setServers([nameserver === 'localhost' ? io.lab.net.podIP : nameserver]);
  const search = conf?.search ?? [];
  const candidates = name.endsWith('.') ? [name.slice(0, -1)] : [...search.map((d) => `${name}.${d}`), name];
  let text = `Server:\t\t${nameserver}\nAddress:\t${nameserver}:53\n\n`;
  for (const candidate of candidates) {
    try {
      const addresses = await resolver.resolve4(candidate);
      for (const address of addresses) text += `Name:\t${candidate}\nAddress: ${address}\n`;
      await write(io.stdout, `${text}\n`);
      return 0;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ECONNREFUSED' || code === 'ETIMEOUT') {
        await write(io.stdout, ';; connection timed out; no servers could be reached\n\n');
        return 1;
      }
    }
  }
  await write(io.stdout, `${text}** server can't find ${name}: NXDOMAIN\n\n`);
  return 1;
};
