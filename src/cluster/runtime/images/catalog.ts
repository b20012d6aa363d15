import { parseImageReference } from '../../api/core/image.ts';
import type { KeyValue } from '../cri.ts';
import { programs as busybox } from './busybox.ts';
import { imagePath } from './commands.ts';
import { programs as coredns } from './coredns.ts';
import { programs as crasher } from './crasher.ts';
import { programs as httpd } from './httpd.ts';
import { programs as ingressController } from './ingress-controller.ts';
import type { Tool } from './lib/tool.ts';
import { programs as myapp } from './myapp.ts';
import { programs as nginx } from './nginx.ts';
import { programs as stress } from './stress.ts';
import { toolbox } from './toolbox/index.ts';

/**
 * The lab's registry: the images it can "pull". Each is a TypeScript program (the module that
 * exports its `programs`), an image config (entrypoint, cmd, env, working dir, stop signal, as
 * an OCI image config has) and the files of its root filesystem.
 */
export interface ImageDefinition {
  /** The repository's short name: nginx means docker.io/library/nginx. */
  readonly name: string;
  /** The tags it has; undefined means any tag (nginx:1.27, nginx:alpine, ...). */
  readonly tags?: readonly string[];
  /** The module under images/ that exports `programs`. */
  readonly module: string;
  readonly programs: Readonly<Record<string, Tool>>;
  readonly config: (tag: string) => ImageConfig;
  /** Root filesystem contents: path -> text; a path ending in / is a directory. */
  readonly files: Readonly<Record<string, string>>;
}

/** The part of an OCI image config the runtime uses. */
export interface ImageConfig {
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  readonly env: readonly KeyValue[];
  readonly workingDir: string;
  /** What stopContainer sends first, as containerd honours the image's STOPSIGNAL. */
  readonly stopSignal: NodeJS.Signals;
}

const baseFiles: Record<string, string> = {
  '/etc/passwd': 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n',
  '/etc/group': 'root:x:0:\nwheel:x:10:root\nnobody:x:65534:\n',
  '/root/': '',
  '/tmp/': '',
  '/var/log/': '',
  '/dev/': '',
  '/proc/': '',
};

const config = (overrides: Partial<ImageConfig> & Pick<ImageConfig, 'cmd'>): ImageConfig => ({
  entrypoint: [],
  workingDir: '/',
  stopSignal: 'SIGTERM',
  ...overrides,
  env: [{ key: 'PATH', value: imagePath }, ...(overrides.env ?? [])],
});

const nginxWelcome = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`;

const nginxDefaultConf = `server {
    listen       80;
    listen  [::]:80;
    server_name  localhost;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
`;

export const catalog: readonly ImageDefinition[] = [
  {
    name: 'nginx',
    module: 'nginx.ts',
    programs: nginx,
    config: () =>
      config({
        entrypoint: ['/docker-entrypoint.sh'],
        cmd: ['nginx', '-g', 'daemon off;'],
        env: [
          { key: 'NGINX_VERSION', value: '1.27.3' },
          { key: 'PKG_RELEASE', value: '1~bookworm' },
        ],
        stopSignal: 'SIGQUIT',
      }),
    files: {
      ...baseFiles,
      '/usr/share/nginx/html/index.html': nginxWelcome,
      '/usr/share/nginx/html/50x.html':
        '<!DOCTYPE html>\n<html>\n<head>\n<title>Error</title>\n</head>\n<body>\n<h1>An error occurred.</h1>\n' +
        '<p>Sorry, the page you are looking for is currently unavailable.<br/>\nPlease try again later.</p>\n</body>\n</html>\n',
      '/etc/nginx/conf.d/default.conf': nginxDefaultConf,
      '/docker-entrypoint.d/': '',
      '/var/cache/nginx/': '',
    },
  },
  {
    name: 'httpd',
    module: 'httpd.ts',
    programs: httpd,
    config: () =>
      config({
        cmd: ['httpd-foreground'],
        env: [
          { key: 'HTTPD_PREFIX', value: '/usr/local/apache2' },
          { key: 'HTTPD_VERSION', value: '2.4.62' },
        ],
        workingDir: '/usr/local/apache2',
        stopSignal: 'SIGWINCH',
      }),
    files: {
      ...baseFiles,
      '/usr/local/apache2/htdocs/index.html': '<html><body><h1>It works!</h1></body></html>\n',
    },
  },
  {
    name: 'busybox',
    module: 'busybox.ts',
    programs: busybox,
    config: () => config({ cmd: ['sh'] }),
    files: baseFiles,
  },
  {
    name: 'myapp',
    tags: ['v1', 'v2', 'v3'],
    module: 'myapp.ts',
    programs: myapp,
    config: (tag) => config({ cmd: ['myapp'], env: [{ key: 'MYAPP_VERSION', value: tag }] }),
    files: baseFiles,
  },
  {
    // Cluster DNS, installed by `orch-lab up` as the coredns Deployment in kube-system.
    name: 'coredns',
    module: 'coredns.ts',
    programs: coredns,
    config: () => config({ entrypoint: ['/coredns'], cmd: [] }),
    files: { ...baseFiles, '/etc/coredns/': '' },
  },
  {
    // The lab's Ingress controller, installed by `orch-lab up` in the ingress-nginx namespace.
    name: 'ingress-controller',
    module: 'ingress-controller.ts',
    programs: ingressController,
    config: () => config({ entrypoint: ['/ingress-controller'], cmd: [] }),
    files: baseFiles,
  },
  {
    name: 'crasher',
    module: 'crasher.ts',
    programs: crasher,
    // An entrypoint, so a pod's args alone set the behaviour: args: ["--exit-code", "2"].
    config: () => config({ entrypoint: ['crasher'], cmd: [] }),
    files: baseFiles,
  },
  {
    name: 'stress',
    module: 'stress.ts',
    programs: stress,
    config: () =>
      config({ entrypoint: ['stress'], cmd: ['--vm', '1', '--vm-bytes', '64M', '--timeout', '600'] }),
    files: baseFiles,
  },
];

/** The images as a learner may write them, for error messages: nginx, ..., myapp:v1, ... */
export const availableImages: readonly string[] = catalog.flatMap((d) =>
  d.tags ? d.tags.map((t) => `${d.name}:${t}`) : [d.name],
);

/** Every command an image can run: its programs and the toolbox (see commands.ts lookPath). */
export function imageCommands(definition: ImageDefinition): ReadonlySet<string> {
  return new Set([...Object.keys(toolbox), ...Object.keys(definition.programs)]);
}

export interface ResolvedImage {
  readonly definition: ImageDefinition;
  readonly tag: string;
  /** The normalized name a runtime lists: docker.io/library/nginx:latest. */
  readonly repoTag: string;
}

/**
 * Finds an image reference in the catalog with Docker's naming rules: nginx, nginx:latest,
 * library/nginx and docker.io/library/nginx:latest are one image; a missing tag means latest.
 */
export function resolveImage(reference: string): ResolvedImage | undefined {
  const ref = parseImageReference(reference);
  if (!ref || ref.digest) return undefined;
  const name = ref.repository
    .replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '')
    .replace(/^library\//, '');
  const tag = ref.tag ?? 'latest';
  const definition = catalog.find((d) => d.name === name && (!d.tags || d.tags.includes(tag)));
  return definition && { definition, tag, repoTag: `docker.io/library/${name}:${tag}` };
}
