import { join } from 'node:path';
import { PAUSE_IMAGE } from './lab-images.ts';

/** Where the Debian packages put the CNI plugins (containernetworking-plugins). */
export const CNI_BIN_DIR = '/usr/lib/cni';

/** A node's containerd files, all under its folder, so nodes of one host never share any. */
export const containerdPaths = (nodeDir: string) => {
  const dir = join(nodeDir, 'containerd');
  return {
    dir,
    config: join(dir, 'config.toml'),
    root: join(dir, 'root'),
    state: join(dir, 'state'),
    log: join(dir, 'containerd.log'),
    certsDir: join(dir, 'certs.d'),
    cniConfDir: join(nodeDir, 'cni', 'net.d'),
    cniDataDir: join(nodeDir, 'cni', 'ipam'),
  };
};

export interface ContainerdConfigOptions {
  readonly nodeDir: string;
  /** The CRI endpoint the kubelet dials: containerd's gRPC address. */
  readonly socket: string;
  readonly snapshotter: 'overlayfs' | 'native';
}

const quote = (s: string) => JSON.stringify(s);

/**
 * The containerd config of one node (version 2, containerd 1.6): root, state and sockets of its
 * own, so several run side by side on one host; the CRI plugin's sandbox image is the locally built
 * pause, its CNI config is the node's, its streaming server on 127.0.0.1 (the kubelet proxies to
 * it), and registries are configured per host under certs.d (hosts.toml), as kind sets up a
 * local registry. Snapshotters a lab never uses are left out.
 */
export function containerdConfig(options: ContainerdConfigOptions): string {
  const paths = containerdPaths(options.nodeDir);
  return `version = 2
root = ${quote(paths.root)}
state = ${quote(paths.state)}
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp"]

[grpc]
  address = ${quote(options.socket)}

[plugins."io.containerd.internal.v1.opt"]
  path = ${quote(join(paths.dir, 'opt'))}

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = ${quote(PAUSE_IMAGE)}
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  disable_apparmor = true
  restrict_oom_score_adj = true

  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = ${quote(options.snapshotter)}
    default_runtime_name = "runc"

    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = ${quote(CNI_BIN_DIR)}
    conf_dir = ${quote(paths.cniConfDir)}

  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = ${quote(paths.certsDir)}
`;
}

/**
 * The node's pod network (a CNI conflist): a Linux bridge the node's pods hang off, their IPs from
 * the node's pod CIDR through host-local, masqueraded on the way out, and portmap for hostPorts.
 */
export function cniConfig(bridge: string, podCIDR: string, dataDir: string): string {
  return `${JSON.stringify(
    {
      cniVersion: '0.4.0',
      name: 'orch-lab',
      plugins: [
        {
          type: 'bridge',
          bridge,
          isGateway: true,
          ipMasq: true,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet: podCIDR }]],
            routes: [{ dst: '0.0.0.0/0' }],
            dataDir,
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  )}\n`;
}

/** The registries on the host's loopback the nodes pull from over plain HTTP (kind's local registry). */
export const LOOPBACK_REGISTRIES = ['127.0.0.1:5000', 'localhost:5000'] as const;

/**
 * A registry host's hosts.toml (containerd's certs.d layout): pull from it over plain HTTP, as a
 * registry on loopback serves, with no TLS to set up.
 */
export const plainHttpRegistry = (host: string) =>
  `server = "http://${host}"\n\n[host."http://${host}"]\n  capabilities = ["pull", "resolve", "push"]\n`;
