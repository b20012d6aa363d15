import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { addLabCredentials, emptyKubeconfig, writeKubeconfig } from '../client/kubeconfig.ts';
import type { ClusterPki } from '../pki/pki.ts';
import { KUBE_PROXY_USER } from '../proxy/index.ts';
import { type NodeConfig, resolveNodePath } from './config.ts';

/** The user a node's kubelet is to the API server; RBAC's system:node role is bound to its group. */
export const nodeUser = (name: string) => ({
  commonName: `system:node:${name}`,
  organizations: ['system:nodes'],
});

/**
 * writeNodeCredentials issues what a node needs from the cluster CA, as kubeadm join leaves it:
 * a kubeconfig with the node's client certificate (what kubelet.conf holds), the kubelet's serving
 * certificate for <nodeIP>:10250 (the API server checks the IP when it proxies logs and exec), and
 * the CA certificate the kubelet checks its own clients against.
 */
export async function writeNodeCredentials(
  pki: ClusterPki,
  config: NodeConfig,
  configPath: string,
): Promise<void> {
  const path = (p: string) => resolveNodePath(configPath, p);
  const { credentials } = config;
  await mkdir(dirname(path(credentials.kubeletCert)), { recursive: true, mode: 0o700 });
  const user = nodeUser(config.name);
  const serving = await pki.issueServingCertificate(user, {
    ipAddresses: [config.nodeIP],
    dnsNames: [config.name],
  });
  await writeFile(path(credentials.kubeletKey), serving.key, { mode: 0o600 });
  await writeFile(path(credentials.kubeletCert), serving.cert, { mode: 0o644 });
  await writeFile(path(credentials.ca), pki.caCertificate, { mode: 0o644 });
  const kubeconfig = addLabCredentials(emptyKubeconfig(), {
    server: config.apiServer,
    caCertificate: pki.caCertificate,
    username: user.commonName,
    credential: await pki.issueClientCertificate(user),
    makeCurrent: true,
  });
  await writeKubeconfig(path(credentials.kubeconfig), kubeconfig);
  const proxy = await pki.issueClientCertificate(KUBE_PROXY_USER);
  await writeFile(path(KUBE_PROXY_CREDENTIALS.key), proxy.key, { mode: 0o600 });
  await writeFile(path(KUBE_PROXY_CREDENTIALS.cert), proxy.cert, { mode: 0o644 });
}

/** kube-proxy's client certificate in the node's folder (CN=system:kube-proxy, as kubeadm issues it). */
export const KUBE_PROXY_CREDENTIALS = { cert: 'pki/kube-proxy.crt', key: 'pki/kube-proxy.key' };
