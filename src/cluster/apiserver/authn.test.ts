import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../clock/fake-clock.ts';
import { type CertificateAndKey, ClusterPki } from '../pki/pki.ts';
import {
  type AuthenticationResult,
  clientCertificateTlsOptions,
  RequestAuthenticator,
  type RequestAuthenticatorOptions,
  ServiceAccountTokenGenerator,
  type ServiceAccountTokenGetter,
} from './authn.ts';

let home: string;
let pki: ClusterPki;
let saKey: { privateKey: string; publicKey: string };

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'orch-lab-authn-'));
  pki = await ClusterPki.open({ dir: join(home, 'pki') });
  saKey = await pki.ensureServiceAccountKey();
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

/** A request as it arrives over plain sockets: only the header matters for tokens. */
const withHeader = (authorization?: string) => ({ headers: { authorization }, socket: {} });

const authenticator = (options: Partial<RequestAuthenticatorOptions> = {}) =>
  new RequestAuthenticator({ serviceAccountPublicKey: saKey.publicKey, ...options });

describe('service-account tokens', () => {
  const request = { namespace: 'team-a', name: 'builder', uid: '7d0c5d2e-sa' };

  it('carry the claims of a Kubernetes bound token', async () => {
    const clock = new FakeClock(Date.UTC(2025, 0, 1));
    const generator = new ServiceAccountTokenGenerator({ privateKey: saKey.privateKey, clock });
    const { token, expirationTimestamp } = await generator.generateToken({
      ...request,
      boundPod: { name: 'web-1', uid: 'pod-uid' },
    });
    const header = decodeProtectedHeader(token);
    expect(header.alg).toBe('ES256');
    expect(header.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const claims = decodeJwt(token);
    const now = clock.now() / 1000;
    expect(claims).toMatchObject({
      iss: 'https://kubernetes.default.svc.cluster.local',
      sub: 'system:serviceaccount:team-a:builder',
      aud: ['https://kubernetes.default.svc.cluster.local'],
      iat: now,
      nbf: now,
      exp: now + 3600,
      'kubernetes.io': {
        namespace: 'team-a',
        serviceaccount: { name: 'builder', uid: '7d0c5d2e-sa' },
        pod: { name: 'web-1', uid: 'pod-uid' },
      },
    });
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(expirationTimestamp.getTime()).toBe(clock.now() + 3600_000);
  });

  it('authenticate as the service account, in its groups', async () => {
    const generator = new ServiceAccountTokenGenerator({ privateKey: saKey.privateKey });
    const { token } = await generator.generateToken(request);
    const result = await authenticator().authenticate(withHeader(`Bearer ${token}`));
    expect(result).toEqual({
      status: 'Authenticated',
      method: 'token',
      user: {
        username: 'system:serviceaccount:team-a:builder',
        uid: '7d0c5d2e-sa',
        groups: ['system:serviceaccounts', 'system:serviceaccounts:team-a', 'system:authenticated'],
        extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${decodeJwt(token).jti}`] },
      },
    });
  });

  it('name the bound pod in the user extra', async () => {
    const generator = new ServiceAccountTokenGenerator({ privateKey: saKey.privateKey });
    const { token } = await generator.generateToken({ ...request, boundPod: { name: 'web-1', uid: 'p1' } });
    const result = await authenticator().authenticate(withHeader(`Bearer ${token}`));
    expect(result.status === 'Authenticated' && result.user.extra).toMatchObject({
      'authentication.kubernetes.io/pod-name': ['web-1'],
      'authentication.kubernetes.io/pod-uid': ['p1'],
    });
  });

  it('expire, with the minute of clock skew Kubernetes allows', async () => {
    const clock = new FakeClock(Date.UTC(2025, 0, 1));
    const generator = new ServiceAccountTokenGenerator({ privateKey: saKey.privateKey, clock });
    const { token } = await generator.generateToken({ ...request, expirationSeconds: 600 });
    const auth = authenticator({ clock });
    clock.step(600_000 + 30_000);
    expect((await auth.authenticate(withHeader(`Bearer ${token}`))).status).toBe('Authenticated');
    clock.step(60_000);
    expect(await auth.authenticate(withHeader(`Bearer ${token}`))).toEqual({
      status: 'Failed',
      errors: ['service account token has expired'],
    });
  });

  it('are not valid before they were issued', async () => {
    const clock = new FakeClock(Date.UTC(2025, 0, 1));
    const generator = new ServiceAccountTokenGenerator({ privateKey: saKey.privateKey, clock });
    const { token } = await generator.generateToken(request);
    clock.step(-5 * 60_000);
    expect(await authenticator({ clock }).authenticate(withHeader(`Bearer ${token}`))).toEqual({
      status: 'Failed',
      errors: ['service account token is not valid yet'],
    });
  });

  it('signed by another key, for another issuer or audience, are refused', async () => {
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const forged = await new ServiceAccountTokenGenerator({ privateKey: stranger }).generateToken(request);
    const foreign = await new ServiceAccountTokenGenerator({
      privateKey: saKey.privateKey,
      issuer: 'https://elsewhere.example',
    }).generateToken(request);
    const ours = new ServiceAccountTokenGenerator({ privateKey: saKey.privateKey });
    const otherAudience = await ours.generateToken({ ...request, audiences: ['vault'] });
    for (const { token } of [forged, foreign, otherAudience]) {
      const result = await authenticator().authenticate(withHeader(`Bearer ${token}`));
      expect(result.status).toBe('Failed');
    }
    // A server configured for that audience takes it.
    const vault = authenticator({ audiences: ['vault'] });
    expect((await vault.authenticate(withHeader(`Bearer ${otherAudience.token}`))).status).toBe(
      'Authenticated',
    );
  });

  it('that outlived their service account or pod are refused', async () => {
    const accounts = new Map([['team-a/builder', { uid: '7d0c5d2e-sa' }]]);
    const pods = new Map([['team-a/web-1', { uid: 'p1' }]]);
    const getter: ServiceAccountTokenGetter = {
      getServiceAccount: (ns, name) => accounts.get(`${ns}/${name}`),
      getPod: (ns, name) => pods.get(`${ns}/${name}`),
    };
    const auth = authenticator({ serviceAccounts: getter });
    const generator = new ServiceAccountTokenGenerator({ privateKey: saKey.privateKey });
    const { token } = await generator.generateToken({ ...request, boundPod: { name: 'web-1', uid: 'p1' } });
    const check = async () => auth.authenticate(withHeader(`Bearer ${token}`));

    expect((await check()).status).toBe('Authenticated');
    pods.set('team-a/web-1', { uid: 'p2' });
    expect(await check()).toEqual({
      status: 'Failed',
      errors: ['pod UID (p2) does not match service account pod ref claim (p1)'],
    });
    pods.delete('team-a/web-1');
    expect(await check()).toEqual({
      status: 'Failed',
      errors: ['service account token has been invalidated'],
    });
    accounts.set('team-a/builder', { uid: 'recreated' });
    expect(await check()).toEqual({
      status: 'Failed',
      errors: ['service account UID (recreated) does not match claim (7d0c5d2e-sa)'],
    });
    accounts.delete('team-a/builder');
    expect(await check()).toEqual({ status: 'Failed', errors: ['serviceaccounts "builder" not found'] });
  });
});

describe('requests without a certificate', () => {
  it('are anonymous when they carry no credential, or one that is not a bearer token', async () => {
    const anonymous: AuthenticationResult = {
      status: 'Anonymous',
      user: { username: 'system:anonymous', groups: ['system:unauthenticated'] },
    };
    expect(await authenticator().authenticate(withHeader())).toEqual(anonymous);
    expect(await authenticator().authenticate(withHeader('Basic YWxpY2U6cHc='))).toEqual(anonymous);
    expect(await authenticator().authenticate(withHeader('Bearer '))).toEqual(anonymous);
  });

  it('fail when the bearer token is not a token at all', async () => {
    const result = await authenticator().authenticate(withHeader('Bearer hunter2'));
    expect(result.status).toBe('Failed');
    expect(result.status === 'Failed' && result.errors[0]).toMatch(/^invalid bearer token/);
  });

  it('accept the scheme in any case, as Kubernetes does', async () => {
    const { token } = await new ServiceAccountTokenGenerator({ privateKey: saKey.privateKey }).generateToken({
      namespace: 'default',
      name: 'default',
      uid: 'u',
    });
    expect((await authenticator().authenticate(withHeader(`bearer ${token}`))).status).toBe('Authenticated');
  });
});

/**
 * Client certificates are checked by the TLS handshake, so these tests go through a real HTTPS
 * server configured with clientCertificateTlsOptions; it answers with the authentication result.
 */
describe('client certificates', () => {
  let server: Server;
  let port: number;
  let tokenForLater: string;

  beforeAll(async () => {
    const serving = await pki.ensureServingCertificate();
    const auth = authenticator();
    server = createServer({ ...serving, ...clientCertificateTlsOptions(pki.caCertificate) }, (req, res) => {
      void auth.authenticate(req).then((result) => res.end(JSON.stringify(result)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    ({ token: tokenForLater } = await new ServiceAccountTokenGenerator({
      privateKey: saKey.privateKey,
    }).generateToken({ namespace: 'default', name: 'deployer', uid: 'u' }));
  });

  afterAll(() => {
    server?.close();
  });

  const call = (client: Partial<CertificateAndKey>, headers: Record<string, string> = {}) =>
    new Promise<AuthenticationResult>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/', ca: pki.caCertificate, headers, agent: false, ...client },
        (res) => {
          let body = '';
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () => resolve(JSON.parse(body)));
        },
      );
      req.on('error', reject);
      req.end();
    });

  it('make CN the user and each O a group, plus system:authenticated', async () => {
    const alice = await pki.issueClientCertificate({ commonName: 'alice', organizations: ['dev', 'ops'] });
    const result = await call(alice);
    expect(result).toMatchObject({
      status: 'Authenticated',
      method: 'x509',
      user: { username: 'alice', groups: ['dev', 'ops', 'system:authenticated'] },
    });
    expect(result.status === 'Authenticated' && result.user.extra).toEqual({
      'authentication.kubernetes.io/credential-id': [expect.stringMatching(/^X509SHA256=[0-9a-f]{64}$/)],
    });
  });

  it('work for a certificate with a single group or none', async () => {
    const node = await pki.issueClientCertificate({
      commonName: 'system:node:node-1',
      organizations: ['system:nodes'],
    });
    expect(await call(node)).toMatchObject({ user: { groups: ['system:nodes', 'system:authenticated'] } });
    const loner = await pki.issueClientCertificate({ commonName: 'loner' });
    expect(await call(loner)).toMatchObject({
      user: { username: 'loner', groups: ['system:authenticated'] },
    });
  });

  it('take precedence over a bearer token, as the x509 authenticator runs first', async () => {
    const alice = await pki.issueClientCertificate({ commonName: 'alice' });
    expect(await call(alice, { authorization: `Bearer ${tokenForLater}` })).toMatchObject({
      user: { username: 'alice' },
    });
  });

  it('signed by another CA fail, though a valid token in the same request still counts', async () => {
    const other = await ClusterPki.open({ dir: join(home, 'other-pki') });
    const mallory = await other.issueClientCertificate({
      commonName: 'mallory',
      organizations: ['system:masters'],
    });
    const result = await call(mallory);
    expect(result.status).toBe('Failed');
    expect(result.status === 'Failed' && result.errors[0]).toMatch(
      /^verifying certificate CN="mallory" failed: /,
    );
    // Like kube-apiserver's union of authenticators, a later one may still vouch for the request.
    expect(await call(mallory, { authorization: `Bearer ${tokenForLater}` })).toMatchObject({
      status: 'Authenticated',
      user: { username: 'system:serviceaccount:default:deployer' },
    });
  });

  it('made for serving cannot be used to log in', async () => {
    const serving = await pki.ensureServingCertificate();
    const result = await call(serving);
    expect(result).toEqual({
      status: 'Failed',
      errors: ['verifying certificate CN="kube-apiserver" failed: INVALID_PURPOSE'],
    });
  });

  it('absent leave the request anonymous', async () => {
    expect(await call({})).toMatchObject({ status: 'Anonymous' });
  });
});
