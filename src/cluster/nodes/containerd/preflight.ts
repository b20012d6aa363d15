import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { CNI_BIN_DIR } from './config.ts';

/** What a containerd node needs of the host, with the Debian package that brings it. */
const NEEDS: readonly { readonly what: string; readonly path: string; readonly pkg: string }[] = [
  { what: 'containerd', path: 'containerd', pkg: 'containerd' },
  { what: 'ctr', path: 'ctr', pkg: 'containerd' },
  { what: 'runc', path: 'runc', pkg: 'runc' },
  ...['bridge', 'host-local', 'loopback', 'portmap'].map((plugin) => ({
    what: `the CNI plugin ${plugin}`,
    path: join(CNI_BIN_DIR, plugin),
    pkg: 'containernetworking-plugins',
  })),
  { what: 'ip', path: 'ip', pkg: 'iproute2' },
  { what: 'gcc (to build the pause image)', path: 'gcc', pkg: 'gcc libc6-dev' },
  { what: 'a static busybox (the busybox image)', path: '/bin/busybox', pkg: 'busybox-static' },
];

/**
 * containerdPreflight says what keeps containerd nodes from running here: Linux, root (containerd
 * makes namespaces, cgroups and bridges), and the programs above. It answers one line per problem,
 * none when all is there.
 */
export async function containerdPreflight(): Promise<string[]> {
  const problems: string[] = [];
  if (process.platform !== 'linux') return [`containerd nodes run on Linux, not ${process.platform}`];
  if (process.getuid?.() !== 0) problems.push('containerd nodes need root (sudo orch-lab up ...)');
  for (const need of NEEDS) {
    if (!(await findable(need.path))) problems.push(`${need.what} is missing: apt-get install ${need.pkg}`);
  }
  return problems;
}

async function findable(path: string): Promise<boolean> {
  const candidates = path.includes('/')
    ? [path]
    : (process.env.PATH ?? '')
        .split(delimiter)
        .concat(['/usr/sbin', '/sbin'])
        .map((dir) => join(dir, path));
  for (const candidate of candidates) {
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return true;
  }
  return false;
}
