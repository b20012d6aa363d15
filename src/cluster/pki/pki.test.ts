import { execFile } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  clientCertificateTlsOptions,
  RequestAuthenticator,
  ServiceAccountTokenGenerator,
} from '../apiserver/authn.ts';
import { unauthorized } from '../apiserver/status.ts';
import { addLabCredentials, emptyKubeconfig, LAB_ADMIN_USER, writeKubeconfig } from '../client/kubeconfig.ts';
import { FakeClock } from '../clock/fake-clock.ts';
import { ClusterPki } from './pki.ts';

const run = promisify(execFile);
const DAY_MS = 24 * 60 * 60 * 1000;
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe('ClusterPki', () => {
  let dir: string;

  beforeEach(async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'orch-lab-pki-')), 'pki');
  });
  afterEach(async () => {
    await rm(join(dir, '..'), { recursive: true, force: true });
  });

  it('creates the CA on first start and reuses it on later ones', async () => {
    const first = await ClusterPki.open({ dir });
    const second = await ClusterPki.open({ dir });
    expect(second.caCertificate).toBe(first.caCertificate);
    const ca = new X509Certificate(first.caCertificate);
    expect(ca.subject).toBe('CN=orch-lab-ca');
    expect(ca.ca).toBe(true);
    expect(await readFile(join(dir, 'ca.crt'), 'utf8')).toBe(first.caCertificate);
  });

  it('keeps private keys readable by their owner only', async () => {
    const pki = await ClusterPki.open({ dir });
    await pki.ensureServingCertificate();
    await pki.ensureServiceAccountKey();
    expect(await mode(dir)).toBe(0o700);
    for (const key of ['ca.key', 'apiserver.key', 'sa.key']) expect(await mode(join(dir, key))).toBe(0o600);
    expect(await mode(join(dir, 'ca.crt'))).toBe(0o644);
  });

  it('refuses a folder that holds half a CA rather than minting a second one', async () => {
    await ClusterPki.open({ dir });
    await rm(join(dir, 'ca.crt'));
    await expect(ClusterPki.open({ dir })).rejects.toThrow(/only one of ca\.crt and ca\.key/);
  });

  it('issues a serving certificate for the default names and the extra ones', async () => {
    const pki = await ClusterPki.open({ dir });
    const serving = await pki.ensureServingCertificate({
      ipAddresses: ['127.0.0.5'],
      dnsNames: ['Orch-Lab.Test'],
    });
    const cert = new X509Certificate(serving.cert);
    expect(cert.subject).toBe('CN=kube-apiserver');
    expect(cert.checkIssued(new X509Certificate(pki.caCertificate))).toBe(true);
    expect(cert.keyUsage).toEqual([SERVER_AUTH]);
    expect(cert.subjectAltName?.split(', ').sort()).toEqual(
      [
        'IP Address:127.0.0.1',
        'IP Address:0:0:0:0:0:0:0:1',
        'IP Address:127.0.0.5',
        'DNS:localhost',
        'DNS:kubernetes',
        'DNS:kubernetes.default',
        'DNS:kubernetes.default.svc',
        'DNS:kubernetes.default.svc.cluster.local',
        'DNS:orch-lab.test',
      ].sort(),
    );
    expect(cert.checkPrivateKey(createPrivateKey(serving.key))).toBe(true);
  });

  it('reuses the serving certificate while the names stay the same, however they are spelled', async () => {
    const pki = await ClusterPki.open({ dir });
    const first = await pki.ensureServingCertificate({ ipAddresses: ['127.0.0.5'] });
    const reopened = await ClusterPki.open({ dir });
    const second = await reopened.ensureServingCertificate({ ipAddresses: ['127.0.0.5', '0:0:0:0:0:0:0:1'] });
    expect(second).toEqual(first);
  });

  it('re-issues the serving certificate when the names change', async () => {
    const pki = await ClusterPki.open({ dir });
    const first = await pki.ensureServingCertificate({ ipAddresses: ['127.0.0.5'] });
    const second = await pki.ensureServingCertificate({ ipAddresses: ['127.0.0.6'] });
    expect(second.cert).not.toBe(first.cert);
    expect(new X509Certificate(second.cert).subjectAltName).toContain('IP Address:127.0.0.6');
    expect(new X509Certificate(second.cert).subjectAltName).not.toContain('127.0.0.5');
    expect(await readFile(join(dir, 'apiserver.crt'), 'utf8')).toBe(second.cert);
    // Dropping the extra name is a change too.
    expect((await pki.ensureServingCertificate()).cert).not.toBe(second.cert);
  });

  it('re-issues the serving certificate in its last 30 days', async () => {
    const clock = new FakeClock(Date.now());
    const pki = await ClusterPki.open({ dir, clock });
    const first = await pki.ensureServingCertificate();
    clock.step(300 * DAY_MS);
    expect(await pki.ensureServingCertificate()).toEqual(first);
    clock.step(40 * DAY_MS);
    const renewed = await pki.ensureServingCertificate();
    expect(renewed.cert).not.toBe(first.cert);
    expect(new Date(new X509Certificate(renewed.cert).validTo).getTime()).toBeGreaterThan(
      clock.now() + 360 * DAY_MS,
    );
  });

  it('re-issues the serving certificate when the CA was replaced', async () => {
    const first = await (await ClusterPki.open({ dir })).ensureServingCertificate();
    await rm(join(dir, 'ca.crt'));
    await rm(join(dir, 'ca.key'));
    const pki = await ClusterPki.open({ dir });
    const second = await pki.ensureServingCertificate();
    expect(second.cert).not.toBe(first.cert);
    expect(new X509Certificate(second.cert).checkIssued(new X509Certificate(pki.caCertificate))).toBe(true);
  });

  it('issues client certificates whose CN is the user and whose O entries are the groups', async () => {
    const pki = await ClusterPki.open({ dir });
    const admin = await pki.issueClientCertificate({
      commonName: 'orch-lab-admin',
      organizations: ['system:masters'],
    });
    const cert = new X509Certificate(admin.cert);
    expect(cert.subject).toBe('O=system:masters\nCN=orch-lab-admin');
    expect(cert.issuer).toBe('CN=orch-lab-ca');
    expect(cert.keyUsage).toEqual([CLIENT_AUTH]);
    expect(cert.checkIssued(new X509Certificate(pki.caCertificate))).toBe(true);
    expect(cert.verify(new X509Certificate(pki.caCertificate).publicKey)).toBe(true);
    const alice = await pki.issueClientCertificate({ commonName: 'alice', organizations: ['dev', 'ops'] });
    expect(new X509Certificate(alice.cert).subject).toBe('O=dev\nO=ops\nCN=alice');
    await expect(pki.issueClientCertificate({ commonName: '' })).rejects.toThrow(/common name/);
  });

  it('gives every certificate its own positive serial number', async () => {
    const pki = await ClusterPki.open({ dir });
    const serials = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const serial = new X509Certificate((await pki.issueClientCertificate({ commonName: `u${i}` })).cert)
        .serialNumber;
      expect(Number.parseInt(serial.slice(0, 2), 16)).toBeGreaterThanOrEqual(0x40);
      expect(Number.parseInt(serial.slice(0, 2), 16)).toBeLessThan(0x80);
      serials.add(serial);
    }
    expect(serials.size).toBe(20);
  });

  it('keeps the service-account key across starts', async () => {
    const first = await (await ClusterPki.open({ dir })).ensureServiceAccountKey();
    const second = await (await ClusterPki.open({ dir })).ensureServiceAccountKey();
    expect(second).toEqual(first);
    expect(first.privateKey).toContain('BEGIN PRIVATE KEY');
    expect(first.publicKey).toContain('BEGIN PUBLIC KEY');
    expect(await readFile(join(dir, 'sa.pub'), 'utf8')).toBe(first.publicKey);
  });
});

/**
 * The certificates are only worth anything if Go's TLS stack, which kubectl uses, accepts them.
 * A tiny HTTPS server stands in for the API server: it authenticates each request and answers
 * /healthz with "ok", /version with a version, /whoami with the user it saw.
 */
describe('real kubectl and curl against the certificates', () => {
  let home: string;
  let server: Server;
  let url: string;
  let pki: ClusterPki;
  let adminKubeconfig: string;
  let token: string;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'orch-lab-tls-'));
    pki = await ClusterPki.open({ dir: join(home, 'pki') });
    const serving = await pki.ensureServingCertificate();
    const saKey = await pki.ensureServiceAccountKey();
    const authenticator = new RequestAuthenticator({ serviceAccountPublicKey: saKey.publicKey });
    ({ token } = await new ServiceAccountTokenGenerator({ privateKey: saKey.privateKey }).generateToken({
      namespace: 'default',
      name: 'builder',
      uid: 'uid-1',
    }));
    server = createServer({ ...serving, ...clientCertificateTlsOptions(pki.caCertificate) }, (req, res) => {
      void authenticator.authenticate(req).then((result) => {
        if (result.status !== 'Authenticated') {
          res.writeHead(401, { 'content-type': 'application/json' });
          res.end(JSON.stringify(unauthorized().toStatus()));
        } else if (req.url?.startsWith('/version')) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ major: '1', minor: '32', gitVersion: 'v1.32.4' }));
        } else if (req.url === '/whoami') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ username: result.user.username, groups: result.user.groups }));
        } else {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('ok');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const admin = await pki.issueClientCertificate({
      commonName: LAB_ADMIN_USER,
      organizations: ['system:masters'],
    });
    adminKubeconfig = join(home, 'admin.kubeconfig');
    await writeKubeconfig(
      adminKubeconfig,
      addLabCredentials(emptyKubeconfig(), {
        server: url,
        caCertificate: pki.caCertificate,
        username: LAB_ADMIN_USER,
        credential: admin,
        makeCurrent: true,
      }),
    );
  });

  afterAll(async () => {
    server?.close();
    await rm(home, { recursive: true, force: true });
  });

  /**
   * kubectl with its discovery cache and config kept inside the test's folder. Standard input is
   * closed at once: kubectl asks for a user name on a terminal when a server refuses it.
   */
  const kubectl = (kubeconfig: string, ...args: string[]) => {
    const pending = run('kubectl', ['--kubeconfig', kubeconfig, ...args], {
      env: { ...process.env, HOME: home, KUBECONFIG: '' },
    });
    pending.child.stdin?.end();
    return pending;
  };

  it('kubectl trusts the serving certificate and authenticates with a client certificate', async () => {
    const { stdout } = await kubectl(adminKubeconfig, 'get', '--raw', '/healthz');
    expect(stdout.trim()).toBe('ok');
    const whoami = JSON.parse((await kubectl(adminKubeconfig, 'get', '--raw', '/whoami')).stdout);
    expect(whoami).toEqual({
      username: 'orch-lab-admin',
      groups: ['system:masters', 'system:authenticated'],
    });
  });

  it('kubectl authenticates with a service-account token', async () => {
    const path = join(home, 'token.kubeconfig');
    await writeKubeconfig(
      path,
      addLabCredentials(emptyKubeconfig(), {
        server: url,
        caCertificate: pki.caCertificate,
        username: 'builder',
        credential: { token },
        makeCurrent: true,
      }),
    );
    const whoami = JSON.parse((await kubectl(path, 'get', '--raw', '/whoami')).stdout);
    expect(whoami.username).toBe('system:serviceaccount:default:builder');
  });

  it('kubectl with a token the server does not accept is told it is not logged in', async () => {
    const path = join(home, 'forged.kubeconfig');
    await writeKubeconfig(
      path,
      addLabCredentials(emptyKubeconfig(), {
        server: url,
        caCertificate: pki.caCertificate,
        username: 'mallory',
        credential: { token: 'not-a-service-account-token' },
        makeCurrent: true,
      }),
    );
    await expect(kubectl(path, 'get', '--raw', '/healthz')).rejects.toMatchObject({
      stderr: expect.stringContaining('You must be logged in to the server (Unauthorized)'),
    });
  });

  it('kubectl refuses a server whose certificate another CA signed', async () => {
    const other = await ClusterPki.open({ dir: join(home, 'other-pki') });
    const path = join(home, 'wrong-ca.kubeconfig');
    const admin = await pki.issueClientCertificate({
      commonName: LAB_ADMIN_USER,
      organizations: ['system:masters'],
    });
    await writeKubeconfig(
      path,
      addLabCredentials(emptyKubeconfig(), {
        server: url,
        caCertificate: other.caCertificate,
        username: LAB_ADMIN_USER,
        credential: admin,
        makeCurrent: true,
      }),
    );
    await expect(kubectl(path, 'get', '--raw', '/healthz')).rejects.toMatchObject({
      stderr: expect.stringContaining('certificate signed by unknown authority'),
    });
  });

  it('curl accepts the CA and presents a client certificate', async () => {
    const alice = await pki.issueClientCertificate({ commonName: 'alice', organizations: ['dev'] });
    const certPath = join(home, 'alice.crt');
    const keyPath = join(home, 'alice.key');
    const caPath = join(home, 'ca.crt');
    await writeFile(certPath, alice.cert);
    await writeFile(keyPath, alice.key, { mode: 0o600 });
    await writeFile(caPath, pki.caCertificate);
    const curl = (...args: string[]) =>
      run('curl', ['--silent', '--show-error', '--cacert', caPath, ...args]);
    expect((await curl('--cert', certPath, '--key', keyPath, `${url}/healthz`)).stdout).toBe('ok');
    expect(JSON.parse((await curl('--cert', certPath, '--key', keyPath, `${url}/whoami`)).stdout)).toEqual({
      username: 'alice',
      groups: ['dev', 'system:authenticated'],
    });
    const anonymous = await curl('--write-out', '\n%{http_code}', `${url}/healthz`);
    const [body, status] = anonymous.stdout.split('\n');
    expect(status).toBe('401');
    expect(JSON.parse(body ?? '')).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
    const bearer = await curl('--header', `Authorization: Bearer ${token}`, `${url}/whoami`);
    expect(JSON.parse(bearer.stdout).username).toBe('system:serviceaccount:default:builder');
  });
});
