// `orch-lab user add` as a learner runs it: the real CLI in a child process, against a lab home
// whose pki and kubeconfig are made here (no running lab is needed, so none is started).

import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addLabCredentials,
  emptyKubeconfig,
  LAB_ADMIN_USER,
  loadRestConfig,
  readKubeconfig,
  writeKubeconfig,
} from '../../cluster/client/kubeconfig.ts';
import { ClusterPki } from '../../cluster/pki/pki.ts';

const BIN = fileURLToPath(new URL('../../../bin/orch-lab.js', import.meta.url));

function orchLab(home: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, ORCH_LAB_HOME: home } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('orch-lab user add', () => {
  let home: string;

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'orch-lab-user-'));
  });

  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('asks for `orch-lab up` first when the lab has no kubeconfig, and mints no CA', async () => {
    const result = await orchLab(home, 'user', 'add', 'alice');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `orch-lab: no kubeconfig at ${join(home, 'kubeconfig')}: the lab in ${home} has not been started yet; run 'orch-lab up' first\n`,
    );
    expect(existsSync(join(home, 'pki'))).toBe(false);
  });

  it('issues CN=name O=group certificates and adds a context beside the current one', async () => {
    // What `orch-lab up` leaves behind: the CA and the admin's kubeconfig.
    const pki = await ClusterPki.open({ dir: join(home, 'pki') });
    const kubeconfig = join(home, 'kubeconfig');
    const admin = await pki.issueClientCertificate({
      commonName: LAB_ADMIN_USER,
      organizations: ['system:masters'],
    });
    await writeKubeconfig(
      kubeconfig,
      addLabCredentials(emptyKubeconfig(), {
        server: 'https://127.0.0.1:6443',
        caCertificate: pki.caCertificate,
        username: LAB_ADMIN_USER,
        credential: admin,
        makeCurrent: true,
      }),
    );

    const result = await orchLab(home, 'user', 'add', 'alice', '--group', 'dev', '--group', 'qa');
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('as context orch-lab-alice');
    expect(result.stdout).toContain(`kubectl --kubeconfig ${kubeconfig} --context orch-lab-alice get pods`);

    const config = await readKubeconfig(kubeconfig);
    expect(config['current-context']).toBe('orch-lab');
    expect(config.contexts.map((c) => c.name)).toEqual(['orch-lab', 'orch-lab-alice']);
    const alice = await loadRestConfig(kubeconfig, 'orch-lab-alice');
    expect(alice.server).toBe('https://127.0.0.1:6443');
    const cert = new X509Certificate(alice.clientCertificate!);
    expect(cert.subject.split('\n')).toEqual(['O=dev', 'O=qa', 'CN=alice']);
    expect(cert.verify(new X509Certificate(pki.caCertificate).publicKey)).toBe(true);

    const refused = await orchLab(home, 'user', 'add', LAB_ADMIN_USER);
    expect(refused.stderr).toBe(
      `orch-lab: ${LAB_ADMIN_USER} is the lab's admin; 'orch-lab up' issues its credentials\n`,
    );
  });
});
