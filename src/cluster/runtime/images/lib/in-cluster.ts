import { readFileSync } from 'node:fs';
import { RestClient } from '../../../client/rest-client.ts';
import type { ToolIO } from './tool.ts';

/**
 * inClusterClient is client-go's rest.InClusterConfig for the lab's system images (coredns, the
 * ingress controller): the API server at KUBERNETES_SERVICE_HOST:KUBERNETES_SERVICE_PORT (the
 * kubelet sets both for the kubernetes Service), checked against ca.crt, signed in with the pod's
 * service-account token; both files are in /var/run/secrets/kubernetes.io/serviceaccount, where the
 * projected volume the ServiceAccount admission plugin adds puts them.
 */
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export function inClusterClient(io: ToolIO, component: string): RestClient {
  const host = io.env.get('KUBERNETES_SERVICE_HOST');
  const port = io.env.get('KUBERNETES_SERVICE_PORT');
  if (!host || !port) {
    throw new Error(
      'unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined',
    );
  }
  const read = (name: string) => readFileSync(io.lab.fs.hostPath(`${SERVICE_ACCOUNT_DIR}/${name}`), 'utf8');
  return new RestClient(
    {
      contextName: 'in-cluster',
      server: `https://${host}:${port}`,
      certificateAuthority: read('ca.crt'),
      token: read('token').trim(),
      insecureSkipTlsVerify: false,
      // The API server's certificate names the kubernetes Service by DNS name, not by its lab IP.
      tlsServerName: 'kubernetes.default.svc',
      namespace: 'default',
    },
    { component },
  );
}
