import { createSocket } from 'node:dgram';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { endpointSlices, services } from '../../api/resources.ts';
import { SharedInformerFactory } from '../../client/shared-informer.ts';
import { encodeResponse, formatError, MessageError, parseQuery } from './coredns/dns-message.ts';
import { KubernetesRecords } from './coredns/kubernetes.ts';
import { inClusterClient } from './lib/in-cluster.ts';
import type { Tool } from './lib/tool.ts';
import { write } from './lib/tool.ts';

/**
 * coredns: the lab's cluster DNS server, after CoreDNS with the Corefile kubeadm installs
 * (`kubernetes cluster.local in-addr.arpa`, `health` on :8080, `ready` on :8181). It watches
 * Services and EndpointSlices through the API with in-cluster configuration (lib/in-cluster.ts).
 * It answers on UDP and TCP port 53 of the pod IP.
 */

const coredns: Tool = async (io) => {
  const { net } = io.lab;
  const client = inClusterClient(io, 'coredns');
  const abort = new AbortController();
  const informers = new SharedInformerFactory({ client });
  const serviceInformer = informers.forResource(services);
  const sliceInformer = informers.forResource(endpointSlices);
  informers.start(abort.signal);
  const records = new KubernetesRecords({
    services: () => serviceInformer.store.list(),
    slices: () => sliceInformer.store.list(),
  });
  const answer = (msg: Buffer): Buffer | undefined => {
    try {
      const question = parseQuery(msg);
      const { rcode, answers, extra } = records.lookup(question.name, question.type);
      return encodeResponse(question, rcode, answers, extra);
    } catch (err) {
      if (err instanceof MessageError) return formatError(msg);
      throw err;
    }
  };

  const udp = createSocket('udp4');
  udp.on('message', (msg, from) => {
    const reply = answer(msg);
    if (reply) udp.send(reply, from.port, from.address);
  });
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(53, net.podIP, () => resolve());
  });
  // DNS over TCP: each message is preceded by its length in two bytes.
  const tcp = createTcpServer((socket: Socket) => {
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const reply = answer(pending.subarray(2, 2 + pending.readUInt16BE(0)));
        pending = pending.subarray(2 + pending.readUInt16BE(0));
        if (reply)
          socket.write(Buffer.concat([Buffer.from([reply.length >> 8, reply.length & 0xff]), reply]));
      }
    });
    socket.on('error', () => socket.destroy());
  });
  await net.listen(tcp, 53, 'coredns');
  let ready = false;
  const health = createHttpServer((_req, res) => res.writeHead(200).end('OK'));
  const readiness = createHttpServer((_req, res) =>
    ready ? res.writeHead(200).end('OK') : res.writeHead(503).end('kubernetes'),
  );
  await net.listen(health, 8080, 'coredns');
  await net.listen(readiness, 8181, 'coredns');
  await write(io.stdout, '.:53\n[INFO] plugin/reload: Running configuration SHA512 = lab\nCoreDNS-1.11.3\n');
  void informers.waitForCacheSync(abort.signal).then((synced) => {
    ready = synced;
    if (synced) void write(io.stdout, '[INFO] plugin/kubernetes: synced Services and EndpointSlices\n');
  });

  return new Promise((resolve) => {
    process.on('SIGTERM', () => {
      void write(io.stdout, '[INFO] SIGTERM: Shutting down servers then terminating\n');
      abort.abort();
      udp.close();
      tcp.close();
      health.close();
      readiness.close();
      client.close();
      resolve(0);
    });
  });
};

// The image's entrypoint is /coredns, as in registry.k8s.io/coredns/coredns.
export const programs: Readonly<Record<string, Tool>> = { '/coredns': coredns };
