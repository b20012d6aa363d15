import { access } from 'node:fs/promises';
import { join } from 'node:path';
import {
  addLabCredentials,
  LAB_ADMIN_USER,
  LAB_CLUSTER,
  labContextName,
  readKubeconfig,
  writeKubeconfig,
} from '../../cluster/client/kubeconfig.ts';
import { labPaths } from '../../cluster/lab.ts';
import { ClusterPki } from '../../cluster/pki/pki.ts';

export interface AddUserOptions {
  /** $ORCH_LAB_HOME: the CA in pki/ signs the certificate, the kubeconfig receives it. */
  readonly home: string;
  /** The user name the API server will see: the certificate's CN. */
  readonly name: string;
  /** The user's groups: one O each in the certificate. */
  readonly groups?: readonly string[];
}

export interface AddedUser {
  readonly username: string;
  readonly groups: readonly string[];
  readonly contextName: string;
  readonly kubeconfig: string;
}

/**
 * addUser gives the lab a new user the way a cluster administrator does with kubeadm's
 * `kubeconfig user`: a client certificate signed by the cluster CA (CN=name, O=each group) and a
 * kubeconfig context that uses it. The API server needs to hear nothing about it: the CA's
 * signature is the whole proof of identity, and RBAC then decides what the user may do (nothing,
 * until a binding names the user or one of the groups).
 *
 * Only the pki folder and the kubeconfig are touched, so it works whether or not the lab runs.
 * The current context stays as it was.
 */
export async function addUser(options: AddUserOptions): Promise<AddedUser> {
  const username = options.name.trim();
  checkUsername(username);
  const groups = [...new Set(options.groups ?? [])];
  for (const group of groups) {
    if (group.trim() === '') throw new Error('a group name cannot be empty');
  }
  const paths = labPaths(options.home);
  const notStarted = `the lab in ${options.home} has not been started yet; run 'orch-lab up' first`;
  const kubeconfig = await readKubeconfig(paths.kubeconfig).catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'ENOENT' ? new Error(`no kubeconfig at ${paths.kubeconfig}: ${notStarted}`) : err;
  });
  const server = kubeconfig.clusters.find((c) => c.name === LAB_CLUSTER)?.cluster.server;
  if (!server) throw new Error(`${paths.kubeconfig} has no "${LAB_CLUSTER}" cluster: ${notStarted}`);
  // ClusterPki.open would mint a new CA in an empty folder, and nothing the lab's API server trusts
  // would sign the certificate; the CA must be the one `orch-lab up` made.
  await access(join(paths.pki, 'ca.crt')).catch(() => {
    throw new Error(`no cluster CA in ${paths.pki}: ${notStarted}`);
  });
  const pki = await ClusterPki.open({ dir: paths.pki });
  const credential = await pki.issueClientCertificate({ commonName: username, organizations: groups });
  await writeKubeconfig(
    paths.kubeconfig,
    addLabCredentials(kubeconfig, { server, caCertificate: pki.caCertificate, username, credential }),
  );
  return { username, groups, contextName: labContextName(username), kubeconfig: paths.kubeconfig };
}

/** User names become a certificate CN and part of a context name; the admin's is taken. */
function checkUsername(name: string): void {
  if (name === '') throw new Error('a user needs a name');
  if (name === LAB_ADMIN_USER) {
    throw new Error(`${LAB_ADMIN_USER} is the lab's admin; 'orch-lab up' issues its credentials`);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\s\u0000-\u001f\u007f]/.test(name)) throw new Error(`invalid user name ${JSON.stringify(name)}`);
}

/** `orch-lab user add NAME [--group G ...]`. */
export async function userAdd(options: AddUserOptions): Promise<void> {
  const added = await addUser(options);
  const groups = added.groups.length > 0 ? ` in group${added.groups.length > 1 ? 's' : ''} ` : '';
  console.log(
    `Added user "${added.username}"${groups}${added.groups.join(', ')} as context ${added.contextName} in ${added.kubeconfig}`,
  );
  console.log(`Try: kubectl --kubeconfig ${added.kubeconfig} --context ${added.contextName} get pods`);
  console.log(
    `RBAC refuses ${added.username} everything until a binding grants it, for example:\n` +
      `  kubectl --kubeconfig ${added.kubeconfig} create rolebinding ${added.username}-view ` +
      `--clusterrole=view --user=${added.username} --namespace=default`,
  );
}
