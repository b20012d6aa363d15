import type { Deployment } from '../../cluster/api/apps/deployment.ts';
import type { ConfigMap } from '../../cluster/api/core/config.ts';
import type { Namespace } from '../../cluster/api/core/namespace.ts';
import type { Pod } from '../../cluster/api/core/pod.ts';
import type { Service } from '../../cluster/api/core/service.ts';
import type { KubeObject } from '../../cluster/api/meta.ts';
import {
  configMaps,
  deployments,
  namespaces,
  pods,
  type ResourceType,
  replicaSets,
  replicationControllers,
  services,
} from '../../cluster/api/resources.ts';
import { flag, type KubectlArgs } from './args.ts';
import type { KubectlContext } from './context.ts';
import { KubectlError, objectName, resourceArgs } from './resource-names.ts';

/*
 * The objects kubectl's generators build (run, create deployment|namespace|configmap, expose),
 * field for field as kubectl v1.32 sends them, so the server fills in the same defaults.
 */

const required = (args: KubectlArgs, name: string): string => {
  const value = flag(args, name);
  if (value === undefined) throw new KubectlError(`required flag(s) "${name}" not set`);
  return value;
};

/** "key=value" pairs of --labels and --env. */
function pairs(values: readonly string[]): [string, string][] {
  return values
    .flatMap((v) => v.split(','))
    .map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]);
}

async function created<T extends KubeObject>(
  ctx: KubectlContext,
  type: ResourceType<T>,
  obj: T,
): Promise<number> {
  const answer = await ctx.client
    .resource(type, type.namespaced ? ctx.namespace : '')
    .create(obj, { signal: ctx.signal });
  ctx.out(`${objectName(type, answer)} created\n`);
  return 0;
}

/** kubectl run NAME --image=IMAGE: a bare pod labelled run=NAME (or --labels). */
export function run(ctx: KubectlContext, args: KubectlArgs): Promise<number> {
  const name = args.words[1];
  if (!name) throw new KubectlError('NAME is required for run');
  const image = required(args, 'image');
  const labels = flag(args, 'labels');
  const port = flag(args, 'port');
  const env = args.flags.get('env') ?? [];
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: labels ? Object.fromEntries(pairs([labels])) : { run: name } },
    spec: {
      containers: [
        {
          name,
          image,
          ...(args.rest.length ? { args: [...args.rest] } : {}),
          ...(port ? { ports: [{ containerPort: Number(port) }] } : {}),
          ...(env.length ? { env: pairs(env).map(([k, v]) => ({ name: k, value: v })) } : {}),
          resources: {},
        },
      ],
      dnsPolicy: 'ClusterFirst',
      restartPolicy: flag(args, 'restart') ?? 'Always',
    },
    status: {},
  } as Pod;
  return created(ctx, pods, pod);
}

/** The container name kubectl create deployment derives from an image: "registry/app:1.2" -> "app". */
const containerName = (image: string) => (image.split('/').at(-1) ?? image).split(/[:@]/)[0]!;

/** create deployment|namespace|configmap NAME: the generated object (create -f is in apply.ts). */
export function createGenerated(ctx: KubectlContext, args: KubectlArgs): Promise<number> {
  const [, what, name] = args.words;
  if (!name) throw new KubectlError(`NAME is required for create ${what}`);
  switch (what) {
    case 'deployment':
    case 'deploy': {
      const images = args.flags.get('image') ?? [];
      if (images.length === 0) throw new KubectlError('required flag(s) "image" not set');
      const port = flag(args, 'port');
      const labels = { app: name };
      const deployment = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, labels },
        spec: {
          replicas: Number(flag(args, 'replicas') ?? 1),
          selector: { matchLabels: labels },
          strategy: {},
          template: {
            metadata: { labels },
            spec: {
              containers: images.map((image) => ({
                name: containerName(image),
                image,
                ...(port ? { ports: [{ containerPort: Number(port) }] } : {}),
                resources: {},
              })),
            },
          },
        },
        status: {},
      } as unknown as Deployment;
      return created(ctx, deployments, deployment);
    }
    case 'namespace':
    case 'ns':
      return created(ctx, namespaces, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name },
        spec: {},
        status: {},
      } as Namespace);
    case 'configmap':
    case 'cm': {
      const data = Object.fromEntries(pairs(args.flags.get('from-literal') ?? []));
      return created(ctx, configMaps, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name },
        data,
      } as ConfigMap);
    }
    default:
      throw new KubectlError(`unknown command "${what}" for "kubectl create"`);
  }
}

/** The kinds expose reads a selector and ports from. */
const EXPOSABLE = new Set<ResourceType>([pods, services, replicationControllers, replicaSets, deployments]);

interface ExposeSource {
  metadata: { labels?: Record<string, string> };
  spec?: {
    selector?:
      | Record<string, string>
      | { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
    ports?: { port: number; protocol?: string }[];
    containers?: { ports?: { containerPort: number; protocol?: string }[] }[];
    template?: { spec?: { containers?: { ports?: { containerPort: number; protocol?: string }[] }[] } };
  };
}

/** The pod labels the object's pods carry, which become the service's selector. */
function selectorOf(type: ResourceType, obj: ExposeSource): Record<string, string> {
  if (type === pods) return obj.metadata.labels ?? {};
  const selector = obj.spec?.selector ?? {};
  if (type === services || type === replicationControllers) return selector as Record<string, string>;
  const { matchLabels, matchExpressions } = selector as {
    matchLabels?: Record<string, string>;
    matchExpressions?: unknown[];
  };
  if (matchExpressions?.length)
    throw new KubectlError('couldn\'t convert expressions - "" to map-based selector format');
  return matchLabels ?? {};
}

/** The ports the object's containers declare (kubectl's polymorphichelpers.PortsForObject). */
function portsOf(type: ResourceType, obj: ExposeSource): { port: number; protocol: string }[] {
  if (type === services)
    return (obj.spec?.ports ?? []).map((p) => ({ port: p.port, protocol: p.protocol ?? 'TCP' }));
  const containers = type === pods ? obj.spec?.containers : obj.spec?.template?.spec?.containers;
  return (containers ?? [])
    .flatMap((c) => c.ports ?? [])
    .map((p) => ({ port: p.containerPort, protocol: p.protocol ?? 'TCP' }));
}

/** kubectl expose TYPE NAME: a Service selecting the object's pods, on --port or the ports they declare. */
export async function expose(ctx: KubectlContext, args: KubectlArgs): Promise<number> {
  const [{ type, names } = { type: pods, names: [] }] = resourceArgs(args.words.slice(1));
  const name = names[0];
  if (!name) throw new KubectlError('You must provide one or more resources by argument or filename.');
  if (!EXPOSABLE.has(type)) throw new KubectlError(`cannot expose a ${type.kind}`);
  const obj = (await ctx.client
    .resource(type, ctx.namespace)
    .get(name, { signal: ctx.signal })) as ExposeSource;
  const port = flag(args, 'port');
  const protocol = flag(args, 'protocol') ?? 'TCP';
  const declared = port ? [{ port: Number(port), protocol }] : portsOf(type, obj);
  if (declared.length === 0) throw new KubectlError("couldn't find port via --port flag or introspection");
  const targetPort = flag(args, 'target-port');
  const target = (p: number) =>
    targetPort === undefined ? p : /^\d+$/.test(targetPort) ? Number(targetPort) : targetPort;
  const serviceName = flag(args, 'name') ?? name;
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: serviceName, ...(obj.metadata.labels ? { labels: obj.metadata.labels } : {}) },
    spec: {
      ports: declared.map((p, i) => ({
        ...(declared.length > 1 ? { name: `port-${i + 1}` } : {}),
        port: p.port,
        protocol: p.protocol,
        targetPort: target(p.port),
      })),
      selector: selectorOf(type, obj),
      ...(flag(args, 'type') ? { type: flag(args, 'type') } : {}),
    },
    status: { loadBalancer: {} },
  } as unknown as Service;
  const answer = await ctx.client.resource(services, ctx.namespace).create(service, { signal: ctx.signal });
  ctx.out(`${objectName(services, answer)} exposed\n`);
  return 0;
}
