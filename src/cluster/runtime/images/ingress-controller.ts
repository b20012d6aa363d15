import { createServer, request } from 'node:http';
import type { Ingress } from '../../api/networking/ingress.ts';
import { ingressClasses, ingresses, services } from '../../api/resources.ts';
import { SharedInformerFactory } from '../../client/shared-informer.ts';
import { route, servesIngress } from './ingress-controller/router.ts';
import { logTime, remoteAddress, requestLine } from './lib/http.ts';
import { inClusterClient } from './lib/in-cluster.ts';
import type { Tool } from './lib/tool.ts';
import { write } from './lib/tool.ts';

/**
 * ingress-controller: the lab's Ingress controller, in the manner of ingress-nginx. It serves the
 * Ingresses of its IngressClass (--ingress-class, and those with no class when it is the default)
 * on port 80 of its pod, passing each request to the Service a rule names at its ClusterIP (so
 * kube-proxy balances over the pods), and publishes the address of its own Service
 * (--publish-service) in every served Ingress's status, as ingress-nginx does.
 */

const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

const flag = (argv: readonly string[], name: string) =>
  argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

const controller: Tool = async (io) => {
  const className = flag(io.argv, 'ingress-class') ?? 'orch-lab';
  const publish = flag(io.argv, 'publish-service');
  const { net } = io.lab;
  const client = inClusterClient(io, 'ingress-controller');
  const abort = new AbortController();
  const informers = new SharedInformerFactory({ client });
  const ingressInformer = informers.forResource(ingresses);
  const classInformer = informers.forResource(ingressClasses);
  const serviceInformer = informers.forResource(services);
  informers.start(abort.signal);
  const filter = () => ({
    name: className,
    isDefault:
      classInformer.store.get(className)?.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true',
  });
  const served = () => ingressInformer.store.list().filter((i) => servesIngress(i, filter()));

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://ingress');
    const found = route(served(), req.headers.host ?? '', url.pathname);
    const svc = found && serviceInformer.store.get(`${found.namespace}/${found.service}`);
    const port =
      svc &&
      (typeof found.port === 'number'
        ? svc.spec.ports?.find((p) => p.port === found.port)
        : svc.spec.ports?.find((p) => p.name === found.port));
    const log = (status: number) =>
      process.stdout.write(
        `${remoteAddress(req)} - - [${logTime()}] "${requestLine(req)}" ${status} ` +
          `[${found ? `${found.namespace}-${found.service}-${found.port}` : 'upstream-default-backend'}]\n`,
      );
    if (!found || !svc?.spec.clusterIP || svc.spec.clusterIP === 'None' || !port) {
      res
        .writeHead(found ? 503 : 404, { 'Content-Type': 'text/plain' })
        .end(found ? '503 Service Temporarily Unavailable\n' : 'default backend - 404\n');
      log(found ? 503 : 404);
      return;
    }
    const upstream = request(
      {
        host: svc.spec.clusterIP,
        port: port.port,
        method: req.method,
        path: req.url,
        headers: {
          ...req.headers,
          'x-forwarded-for': remoteAddress(req),
          'x-forwarded-host': req.headers.host ?? '',
          'x-forwarded-proto': 'http',
        },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        log(answer.statusCode ?? 502);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' }).end('502 Bad Gateway\n');
      log(502);
    });
    req.pipe(upstream);
  });
  const health = createServer((_req, res) => res.writeHead(200).end('ok'));
  await net.listen(server, 80, 'ingress-controller');
  await net.listen(health, 10254, 'ingress-controller');
  await write(io.stdout, `ingress-controller: serving IngressClass ${className} on ${net.podIP}:80\n`);

  // Publishes the controller Service's address in the status of every served Ingress.
  const publishStatus = async () => {
    const published = publish ? serviceInformer.store.get(publish) : undefined;
    const ip = published?.status?.loadBalancer?.ingress?.[0]?.ip ?? published?.spec.clusterIP;
    if (!ip) return;
    for (const ingress of served()) {
      const current = ingress.status?.loadBalancer?.ingress ?? [];
      if (current.length === 1 && current[0]?.ip === ip) continue;
      await client
        .resource(ingresses, ingress.metadata.namespace)
        .updateStatus({ ...ingress, status: { loadBalancer: { ingress: [{ ip }] } } } as Ingress)
        .catch(() => {});
    }
  };
  const timer = setInterval(() => void publishStatus(), 1000);

  return new Promise((resolve) => {
    process.on('SIGTERM', () => {
      clearInterval(timer);
      abort.abort();
      server.close();
      server.closeAllConnections();
      health.close();
      client.close();
      resolve(0);
    });
  });
};

export const programs: Readonly<Record<string, Tool>> = { '/ingress-controller': controller };
