// @peculiar/x509 resolves its parts through tsyringe, which needs the Reflect metadata API loaded
// before the library itself; keep this import first.
import 'reflect-metadata';
import { createPrivateKey, createPublicKey, randomBytes, webcrypto } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { type Clock, systemClock } from '../clock/clock.ts';

x509.cryptoProvider.set(webcrypto as webcrypto.Crypto);

/**
 * The cluster's public key infrastructure, laid out as kubeadm lays out /etc/kubernetes/pki so a
 * learner who knows one recognises the other:
 *
 *   ca.crt, ca.key              the cluster CA: signs every certificate below; kubectl trusts it
 *   apiserver.crt, .key         the API server's serving certificate
 *   sa.key, sa.pub              the key pair that signs and checks service-account tokens
 *
 * Client certificates (admin, nodes, learners' users) are issued on request and handed back as PEM
 * for a kubeconfig; the PKI keeps no copy, as a real CA keeps none.
 *
 * Every key is ECDSA P-256: generating one takes a millisecond, where a 2048-bit RSA key takes a
 * noticeable fraction of a second, and Go's TLS (kubectl) and Node's TLS accept it alike.
 */

/** A certificate and its private key, both PEM; the key is PKCS#8 ("BEGIN PRIVATE KEY"). */
export interface CertificateAndKey {
  readonly cert: string;
  readonly key: string;
}

/** The service-account signing key pair, PEM: PKCS#8 private key and SPKI public key. */
export interface ServiceAccountKeyPair {
  readonly privateKey: string;
  readonly publicKey: string;
}

/** Who a client certificate speaks for: the API server reads CN as the user and each O as a group. */
export interface ClientSubject {
  readonly commonName: string;
  readonly organizations?: readonly string[];
}

/** Names the serving certificate must carry besides the defaults, e.g. a Service ClusterIP. */
export interface ServingNames {
  readonly ipAddresses?: readonly string[];
  readonly dnsNames?: readonly string[];
}

export interface ClusterPkiOptions {
  /** The pki folder, usually `$ORCH_LAB_HOME/pki`; created with mode 0700 when missing. */
  readonly dir: string;
  /** Milliseconds, as Date.now(); tests move it to reach expiry. */
  readonly clock?: Clock;
}

export const CA_COMMON_NAME = 'orch-lab-ca';
/** kubeadm's CN for the serving certificate. */
export const SERVING_COMMON_NAME = 'kube-apiserver';

/** Names every client inside or outside the cluster may use to reach the API server. */
export const DEFAULT_SERVING_NAMES = {
  ipAddresses: ['127.0.0.1', '::1'],
  dnsNames: [
    'localhost',
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    'kubernetes.default.svc.cluster.local',
  ],
} as const;

const DAY_MS = 24 * 60 * 60 * 1000;
/** kubeadm's lifetimes: ten years for the CA, one year for what it signs. */
const CA_VALIDITY_MS = 3650 * DAY_MS;
const LEAF_VALIDITY_MS = 365 * DAY_MS;
/** A serving certificate this close to its end is replaced at the next start. */
const RENEW_BEFORE_MS = 30 * DAY_MS;
/**
 * Certificates start five minutes in the past, as kubeadm's do, so a node container whose clock
 * runs a little behind the host's does not see them as not yet valid.
 */
const BACKDATE_MS = 5 * 60 * 1000;

const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;

const FILES = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  servingCert: 'apiserver.crt',
  servingKey: 'apiserver.key',
  saKey: 'sa.key',
  saPub: 'sa.pub',
} as const;

/**
 * ClusterPki owns the pki folder: it creates the CA on first start, reuses it afterwards, and signs
 * certificates with it.
 */
export class ClusterPki {
  private constructor(
    readonly dir: string,
    private readonly clock: Clock,
    private readonly caCert: x509.X509Certificate,
    private readonly caKey: webcrypto.CryptoKey,
    /** The CA certificate, PEM: what kubeconfig files carry as certificate-authority-data. */
    readonly caCertificate: string,
  ) {}

  /** Opens the pki folder, creating the CA if the folder has none. */
  static async open(options: ClusterPkiOptions): Promise<ClusterPki> {
    const clock = options.clock ?? systemClock;
    await mkdir(options.dir, { recursive: true, mode: 0o700 });
    const certPath = join(options.dir, FILES.caCert);
    const keyPath = join(options.dir, FILES.caKey);
    const existingCert = await readOptional(certPath);
    const existingKey = await readOptional(keyPath);
    if (existingCert !== undefined && existingKey !== undefined) {
      const cert = new x509.X509Certificate(existingCert);
      return new ClusterPki(
        options.dir,
        clock,
        cert,
        await importPrivateKey(existingKey),
        cert.toString('pem'),
      );
    }
    if (existingCert !== undefined || existingKey !== undefined) {
      // Half a CA cannot sign, and a new one would silently break every kubeconfig already out there.
      throw new Error(
        `${options.dir} holds only one of ${FILES.caCert} and ${FILES.caKey}; restore or remove it`,
      );
    }
    const keys = await generateKeyPair();
    const now = clock.now();
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: newSerialNumber(),
      name: [{ CN: [CA_COMMON_NAME] }],
      keys,
      notBefore: new Date(now - BACKDATE_MS),
      notAfter: new Date(now + CA_VALIDITY_MS),
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    // Key first: a crash between the two writes leaves a key without a certificate, which the
    // check above reports instead of quietly minting a second CA.
    await writeFileAtomic(keyPath, await exportPrivateKey(keys.privateKey), 0o600);
    await writeFileAtomic(certPath, cert.toString('pem'), 0o644);
    return new ClusterPki(options.dir, clock, cert, keys.privateKey, cert.toString('pem'));
  }

  /**
   * The serving certificate for the given extra names. The one on disk is reused while it is signed
   * by this CA, names exactly the wanted hosts and has more than 30 days left; otherwise a new one
   * replaces it. kubectl checks the address it dials against these names, so a lab that starts
   * listening on a new address (a Docker bridge gateway, say) needs a new certificate.
   */
  async ensureServingCertificate(extra: ServingNames = {}): Promise<CertificateAndKey> {
    const wanted = servingNames(extra);
    const certPath = join(this.dir, FILES.servingCert);
    const keyPath = join(this.dir, FILES.servingKey);
    const cert = await readOptional(certPath);
    const key = await readOptional(keyPath);
    if (cert !== undefined && key !== undefined && (await this.servingCertificateFits(cert, key, wanted))) {
      return { cert, key };
    }
    const issued = await this.issue({
      subject: [{ CN: [SERVING_COMMON_NAME] }],
      usage: x509.ExtendedKeyUsage.serverAuth,
      altNames: [
        ...wanted.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
        ...wanted.dnsNames.map((value) => ({ type: 'dns' as const, value })),
      ],
    });
    await writeFileAtomic(keyPath, issued.key, 0o600);
    await writeFileAtomic(certPath, issued.cert, 0o644);
    return issued;
  }

  /**
   * A client certificate for a user: CN is the user name and each O a group, the way the API
   * server's x509 authenticator reads them (CN=orch-lab-admin, O=system:masters for the admin;
   * CN=system:node:node-1, O=system:nodes for a kubelet).
   */
  async issueClientCertificate(subject: ClientSubject): Promise<CertificateAndKey> {
    if (subject.commonName === '') throw new Error('a client certificate needs a common name');
    return this.issue({
      subject: subjectName(subject),
      usage: x509.ExtendedKeyUsage.clientAuth,
      altNames: [],
    });
  }

  /**
   * A serving certificate for a component other than the API server, such as a kubelet on
   * <nodeIP>:10250: the subject as for a client, the names exactly as given (no defaults).
   */
  async issueServingCertificate(subject: ClientSubject, names: ServingNames): Promise<CertificateAndKey> {
    return this.issue({
      subject: subjectName(subject),
      usage: x509.ExtendedKeyUsage.serverAuth,
      altNames: [
        ...(names.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
        ...(names.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
      ],
    });
  }

  /** The service-account signing key pair, created on first use and reused afterwards. */
  async ensureServiceAccountKey(): Promise<ServiceAccountKeyPair> {
    const keyPath = join(this.dir, FILES.saKey);
    const pubPath = join(this.dir, FILES.saPub);
    const existing = await readOptional(keyPath);
    // The public half is always derived from the private one, so the two can never disagree.
    if (existing !== undefined) return { privateKey: existing, publicKey: publicKeyOf(existing) };
    const privateKey = await exportPrivateKey((await generateKeyPair()).privateKey);
    const publicKey = publicKeyOf(privateKey);
    await writeFileAtomic(keyPath, privateKey, 0o600);
    await writeFileAtomic(pubPath, publicKey, 0o644);
    return { privateKey, publicKey };
  }

  private async issue(request: {
    subject: x509.JsonName;
    usage: x509.ExtendedKeyUsage;
    altNames: x509.JsonGeneralNames;
  }): Promise<CertificateAndKey> {
    const keys = await generateKeyPair();
    const now = this.clock.now();
    const extensions: x509.Extension[] = [
      new x509.BasicConstraintsExtension(false, undefined, true),
      // ECDSA keys only sign during the handshake; keyEncipherment would be an RSA-only notion.
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([request.usage]),
      await x509.AuthorityKeyIdentifierExtension.create(this.caCert.publicKey),
    ];
    if (request.altNames.length > 0)
      extensions.push(new x509.SubjectAlternativeNameExtension(request.altNames));
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: newSerialNumber(),
      subject: request.subject,
      issuer: this.caCert.subjectName,
      publicKey: keys.publicKey,
      signingKey: this.caKey,
      notBefore: new Date(now - BACKDATE_MS),
      notAfter: new Date(now + LEAF_VALIDITY_MS),
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions,
    });
    return { cert: cert.toString('pem'), key: await exportPrivateKey(keys.privateKey) };
  }

  private async servingCertificateFits(
    certPem: string,
    keyPem: string,
    wanted: { ipAddresses: string[]; dnsNames: string[] },
  ): Promise<boolean> {
    let cert: x509.X509Certificate;
    try {
      cert = new x509.X509Certificate(certPem);
    } catch {
      return false;
    }
    if (cert.notAfter.getTime() - this.clock.now() < RENEW_BEFORE_MS) return false;
    // A CA made anew (its files removed by hand) leaves behind a certificate nobody trusts.
    if (!(await cert.verify({ publicKey: this.caCert.publicKey, signatureOnly: true }))) return false;
    if (!keyMatches(cert, keyPem)) return false;
    const names = cert.getExtension(x509.SubjectAlternativeNameExtension)?.names.toJSON() ?? [];
    const have = names.map((n) => `${n.type}:${n.type === 'ip' ? canonicalIp(n.value) : n.value}`);
    const want = [
      ...wanted.ipAddresses.map((ip) => `ip:${ip}`),
      ...wanted.dnsNames.map((dns) => `dns:${dns}`),
    ];
    return sameSet(have, want);
  }
}

/** Organizations first, then CN: the order Go and openssl print ("O = system:masters, CN = ..."). */
function subjectName(subject: ClientSubject): x509.JsonName {
  return [...(subject.organizations ?? []).map((o) => ({ O: [o] })), { CN: [subject.commonName] }];
}

/** The defaults plus the extras, validated, canonical and without repeats. */
function servingNames(extra: ServingNames): { ipAddresses: string[]; dnsNames: string[] } {
  const ips = [...DEFAULT_SERVING_NAMES.ipAddresses, ...(extra.ipAddresses ?? [])].map((ip) => {
    if (isIP(ip) === 0) throw new Error(`${JSON.stringify(ip)} is not an IP address`);
    return canonicalIp(ip);
  });
  const dns = [...DEFAULT_SERVING_NAMES.dnsNames, ...(extra.dnsNames ?? [])].map((name) =>
    name.toLowerCase(),
  );
  return { ipAddresses: [...new Set(ips)], dnsNames: [...new Set(dns)] };
}

/** IPv6 has many spellings of one address (::1, 0:0:0:0:0:0:0:1); URL parsing settles on one. */
function canonicalIp(ip: string): string {
  return isIP(ip) === 6 ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((item) => right.has(item));
}

function publicKeyOf(privateKeyPem: string): string {
  return createPublicKey(createPrivateKey(privateKeyPem)).export({ type: 'spki', format: 'pem' }).toString();
}

function keyMatches(cert: x509.X509Certificate, keyPem: string): boolean {
  try {
    const fromKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
    return Buffer.from(cert.publicKey.rawData).equals(fromKey);
  } catch {
    return false;
  }
}

/**
 * A random 127-bit positive serial. Go (kubectl) rejects negative serials and non-minimal DER
 * integers, so the top bit is cleared and the next one set: the first byte is never 0x00 and the
 * number never reads as negative.
 */
function newSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString('hex');
}

async function generateKeyPair(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
}

async function exportPrivateKey(key: webcrypto.CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

async function importPrivateKey(pem: string): Promise<webcrypto.CryptoKey> {
  const der = createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
  return webcrypto.subtle.importKey('pkcs8', der, KEY_ALGORITHM, false, ['sign']);
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Writes beside the target and renames over it, so a crash never leaves half a key on disk. */
async function writeFileAtomic(path: string, data: string, mode: number): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  // A leftover from a crash would keep its old mode: the mode option only applies to new files.
  await rm(temp, { force: true });
  await writeFile(temp, data, { mode });
  await rename(temp, path);
}
