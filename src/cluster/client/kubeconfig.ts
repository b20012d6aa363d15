import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { z } from 'zod';

/**
 * Kubeconfig files: the v1 `Config` kubectl reads, with named clusters (where the API server is and
 * which CA vouches for it), users (credentials) and contexts (a user on a cluster, optionally with
 * a namespace), and the context in use.
 *
 * How orch-lab names its entries, so `kubectl config get-contexts` reads naturally:
 *
 *   cluster   orch-lab
 *   user      the user name the API server sees (the certificate's CN): orch-lab-admin, alice, ...
 *   context   orch-lab for the admin; orch-lab-<user> for every other user (orch-lab-alice)
 *
 * `orch-lab user add alice --group dev` therefore adds user "alice" and context "orch-lab-alice"
 * beside the admin's, and `kubectl --context orch-lab-alice get pods` acts as alice.
 *
 * Entries orch-lab does not know (other clusters, extensions, fields it never sets) are kept as
 * they were when a file is rewritten.
 */

export const LAB_CLUSTER = 'orch-lab';
export const LAB_ADMIN_USER = 'orch-lab-admin';

/** The context orch-lab gives a user: orch-lab for the admin, orch-lab-<user> for anyone else. */
export function labContextName(username: string): string {
  return username === LAB_ADMIN_USER ? LAB_CLUSTER : `${LAB_CLUSTER}-${username}`;
}

const clusterSchema = z.looseObject({
  server: z.string().optional(),
  'certificate-authority': z.string().optional(),
  'certificate-authority-data': z.string().optional(),
  'insecure-skip-tls-verify': z.boolean().optional(),
  'tls-server-name': z.string().optional(),
});

const userSchema = z.looseObject({
  'client-certificate': z.string().optional(),
  'client-certificate-data': z.string().optional(),
  'client-key': z.string().optional(),
  'client-key-data': z.string().optional(),
  token: z.string().optional(),
  tokenFile: z.string().optional(),
  exec: z.unknown().optional(),
  'auth-provider': z.unknown().optional(),
});

const contextSchema = z.looseObject({
  cluster: z.string(),
  user: z.string(),
  namespace: z.string().optional(),
});

/** Go writes an empty list as null; both mean "none". */
const namedList = <T extends z.ZodType>(key: string, item: T) =>
  z
    .array(z.looseObject({ name: z.string(), [key]: item }))
    .nullish()
    .transform((list) => list ?? []);

const kubeconfigSchema = z.looseObject({
  apiVersion: z.literal('v1').default('v1'),
  kind: z.literal('Config').default('Config'),
  clusters: namedList('cluster', clusterSchema),
  users: namedList('user', userSchema),
  contexts: namedList('context', contextSchema),
  'current-context': z.string().default(''),
  preferences: z.record(z.string(), z.unknown()).nullish(),
});

export type KubeconfigCluster = z.infer<typeof clusterSchema>;
export type KubeconfigUser = z.infer<typeof userSchema>;
export type KubeconfigContext = z.infer<typeof contextSchema>;

/** A parsed kubeconfig. Values are as in the file: `-data` fields hold base64. */
export interface Kubeconfig {
  apiVersion: 'v1';
  kind: 'Config';
  clusters: { name: string; cluster: KubeconfigCluster }[];
  users: { name: string; user: KubeconfigUser }[];
  contexts: { name: string; context: KubeconfigContext }[];
  'current-context': string;
  [field: string]: unknown;
}

/** What a REST client needs to reach the API server as one user, all PEM already decoded. */
export interface RestConfig {
  readonly contextName: string;
  readonly server: string;
  /** PEM of the CA that signed the server's certificate; absent means the system's CAs. */
  readonly certificateAuthority?: string;
  readonly clientCertificate?: string;
  readonly clientKey?: string;
  readonly token?: string;
  readonly insecureSkipTlsVerify: boolean;
  readonly tlsServerName?: string;
  /** The context's namespace, or "default", as kubectl falls back to. */
  readonly namespace: string;
}

export class KubeconfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KubeconfigError';
  }
}

export function emptyKubeconfig(): Kubeconfig {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [],
    users: [],
    contexts: [],
    'current-context': '',
    preferences: {},
  };
}

/** Parses kubeconfig YAML (or JSON, which is YAML too); `source` names the file in errors. */
export function parseKubeconfig(text: string, source = 'kubeconfig'): Kubeconfig {
  let raw: unknown;
  try {
    raw = parse(text) ?? {};
  } catch (err) {
    throw new KubeconfigError(`${source}: not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  const result = kubeconfigSchema.safeParse(raw);
  if (!result.success) throw new KubeconfigError(`${source}: ${z.prettifyError(result.error)}`);
  return result.data as Kubeconfig;
}

export async function readKubeconfig(path: string): Promise<Kubeconfig> {
  return parseKubeconfig(await readFile(path, 'utf8'), path);
}

/**
 * Writes a kubeconfig with mode 0600: it holds private keys and tokens. The file is replaced
 * through a rename, so a reader never sees half of it and an older, looser mode does not survive.
 */
export async function writeKubeconfig(path: string, config: Kubeconfig): Promise<void> {
  // kubectl's own key order, so a diff against `kubectl config view --raw` stays small.
  const { apiVersion, clusters, contexts, 'current-context': current, kind, users, ...rest } = config;
  const ordered = { apiVersion, clusters, contexts, 'current-context': current, kind, ...rest, users };
  const temp = `${path}.${process.pid}.tmp`;
  await rm(temp, { force: true });
  // lineWidth 0: base64 blobs stay on one line, as kubectl writes them.
  await writeFile(temp, stringify(ordered, { lineWidth: 0 }), { mode: 0o600 });
  await rename(temp, path);
}

/**
 * Reads the file (or starts empty when there is none), applies `edit` and writes the result back:
 * how `orch-lab user add` adds a user without disturbing what else the file holds.
 */
export async function updateKubeconfig(
  path: string,
  edit: (config: Kubeconfig) => Kubeconfig,
): Promise<Kubeconfig> {
  let config: Kubeconfig;
  try {
    config = await readKubeconfig(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    config = emptyKubeconfig();
  }
  const updated = edit(config);
  await writeKubeconfig(path, updated);
  return updated;
}

/** Adds or replaces a named entry, keeping its place in the list, as `kubectl config set-*` does. */
function upsert<T extends { name: string }>(list: readonly T[], entry: T): T[] {
  const index = list.findIndex((item) => item.name === entry.name);
  return index === -1 ? [...list, entry] : list.map((item, i) => (i === index ? entry : item));
}

export function setCluster(config: Kubeconfig, name: string, cluster: KubeconfigCluster): Kubeconfig {
  return { ...config, clusters: upsert(config.clusters, { name, cluster }) };
}

export function setUser(config: Kubeconfig, name: string, user: KubeconfigUser): Kubeconfig {
  return { ...config, users: upsert(config.users, { name, user }) };
}

export function setContext(config: Kubeconfig, name: string, context: KubeconfigContext): Kubeconfig {
  return { ...config, contexts: upsert(config.contexts, { name, context }) };
}

export interface LabCredentials {
  /** https://127.0.0.1:<port> */
  readonly server: string;
  /** The cluster CA, PEM. */
  readonly caCertificate: string;
  /** The user name the API server will see: the certificate's CN, or a service account's user. */
  readonly username: string;
  /** A client certificate and key (PEM), or a bearer token. */
  readonly credential: { readonly cert: string; readonly key: string } | { readonly token: string };
  readonly namespace?: string;
  /** Make this the current context, as the admin's is when the lab first starts. */
  readonly makeCurrent?: boolean;
}

/**
 * Adds the lab cluster, one user and its context (named as the header of this file says),
 * replacing entries of the same names: re-running it after the CA or port changed fixes a stale
 * file rather than duplicating entries.
 */
export function addLabCredentials(config: Kubeconfig, credentials: LabCredentials): Kubeconfig {
  const { credential } = credentials;
  const user: KubeconfigUser =
    'token' in credential
      ? { token: credential.token }
      : { 'client-certificate-data': base64(credential.cert), 'client-key-data': base64(credential.key) };
  const context: KubeconfigContext = { cluster: LAB_CLUSTER, user: credentials.username };
  if (credentials.namespace !== undefined) context.namespace = credentials.namespace;
  const contextName = labContextName(credentials.username);
  let next = setCluster(config, LAB_CLUSTER, {
    server: credentials.server,
    'certificate-authority-data': base64(credentials.caCertificate),
  });
  next = setUser(next, credentials.username, user);
  next = setContext(next, contextName, context);
  return credentials.makeCurrent ? { ...next, 'current-context': contextName } : next;
}

/**
 * Resolves a context (the current one unless named) into what a REST client needs, as kubectl
 * does: file references are read, relative to the kubeconfig's folder, and `-data` fields decoded.
 */
export async function resolveRestConfig(
  config: Kubeconfig,
  options: { context?: string; kubeconfigPath?: string } = {},
): Promise<RestConfig> {
  const contextName = options.context ?? config['current-context'];
  if (contextName === '') throw new KubeconfigError('current-context is not set');
  const context = config.contexts.find((c) => c.name === contextName)?.context;
  if (context === undefined) throw new KubeconfigError(`context "${contextName}" does not exist`);
  const cluster = config.clusters.find((c) => c.name === context.cluster)?.cluster;
  if (cluster === undefined) throw new KubeconfigError(`cluster "${context.cluster}" does not exist`);
  if (cluster.server === undefined || cluster.server === '') {
    throw new KubeconfigError(`cluster "${context.cluster}" has no server defined`);
  }
  const user = config.users.find((u) => u.name === context.user)?.user ?? {};
  if (user.exec !== undefined || user['auth-provider'] !== undefined) {
    throw new KubeconfigError(
      `user "${context.user}" authenticates through a plugin, which orch-lab does not run`,
    );
  }
  const baseDir = options.kubeconfigPath === undefined ? process.cwd() : dirname(options.kubeconfigPath);
  const material = (data: string | undefined, file: string | undefined) => readMaterial(data, file, baseDir);
  const token = user.token ?? (await material(undefined, user.tokenFile))?.trim();
  const resolved: RestConfig = {
    contextName,
    server: cluster.server,
    certificateAuthority: await material(
      cluster['certificate-authority-data'],
      cluster['certificate-authority'],
    ),
    clientCertificate: await material(user['client-certificate-data'], user['client-certificate']),
    clientKey: await material(user['client-key-data'], user['client-key']),
    token,
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] ?? false,
    tlsServerName: cluster['tls-server-name'],
    namespace: context.namespace || 'default',
  };
  // Drop absent fields, so callers can spread the result into TLS options.
  return Object.fromEntries(
    Object.entries(resolved).filter(([, value]) => value !== undefined),
  ) as RestConfig;
}

/** Reads a kubeconfig file and resolves one of its contexts. */
export async function loadRestConfig(path: string, context?: string): Promise<RestConfig> {
  return resolveRestConfig(await readKubeconfig(path), { kubeconfigPath: path, context });
}

/** Inline base64 data wins over a file reference, as in client-go. */
async function readMaterial(
  data: string | undefined,
  file: string | undefined,
  baseDir: string,
): Promise<string | undefined> {
  if (data !== undefined && data !== '') return Buffer.from(data, 'base64').toString('utf8');
  if (file === undefined || file === '') return undefined;
  return readFile(isAbsolute(file) ? file : join(baseDir, file), 'utf8');
}

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
