import { createHash, createPrivateKey, createPublicKey, type KeyObject, randomUUID } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { type Clock, systemClock } from '../clock/clock.ts';

/**
 * Authentication: who sent a request. Like kube-apiserver, it tries each way of proving an identity
 * in turn (a client certificate, then a bearer token) and takes the first that succeeds. A request
 * that offers nothing is anonymous; one that offers a credential that fails is not, so a typo in a
 * token shows up as 401 instead of quietly running with fewer rights.
 *
 * Deciding what the user may do is authorization's job (authz/rbac.ts), not this module's.
 */

/** UserInfo is what the rest of the API server knows about the caller (user.Info in Kubernetes). */
export interface UserInfo {
  readonly username: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

export const ALL_AUTHENTICATED = 'system:authenticated';
export const ALL_UNAUTHENTICATED = 'system:unauthenticated';
export const ANONYMOUS_USER = 'system:anonymous';
export const ALL_SERVICE_ACCOUNTS = 'system:serviceaccounts';
const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';
/** Where Kubernetes records which credential a user came with, for the audit log. */
const CREDENTIAL_ID = 'authentication.kubernetes.io/credential-id';

export const ANONYMOUS: UserInfo = { username: ANONYMOUS_USER, groups: [ALL_UNAUTHENTICATED] };

/** The issuer kubeadm clusters use; tokens name it in `iss` and, by default, in `aud`. */
export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

/** The part of an incoming request authentication reads; node's IncomingMessage fits it. */
export interface AuthenticationRequest {
  readonly headers: { readonly authorization?: string | undefined };
  /** A TLSSocket when the request came over HTTPS. */
  readonly socket: object;
}

export type AuthenticationResult =
  | { readonly status: 'Authenticated'; readonly user: UserInfo; readonly method: 'x509' | 'token' }
  /** No credential at all: the user is system:anonymous. */
  | { readonly status: 'Anonymous'; readonly user: UserInfo }
  /** A credential was offered and rejected; `errors` say why, for logs and lessons, never the client. */
  | { readonly status: 'Failed'; readonly errors: readonly string[] };

/** The objects a bound token names, looked up to refuse tokens that outlived them. */
export interface ServiceAccountTokenGetter {
  getServiceAccount(namespace: string, name: string): { readonly uid: string } | undefined;
  getPod(namespace: string, name: string): { readonly uid: string } | undefined;
}

export interface RequestAuthenticatorOptions {
  /** PEM public key that service-account tokens are checked against (sa.pub). */
  readonly serviceAccountPublicKey: string;
  readonly issuer?: string;
  /** Audiences this server accepts (kube-apiserver's --api-audiences); the issuer by default. */
  readonly audiences?: readonly string[];
  /**
   * When given, a token whose service account (or bound pod) is gone, or was recreated with a new
   * UID, is refused, as Kubernetes refuses it. Without it a token lives until it expires.
   */
  readonly serviceAccounts?: ServiceAccountTokenGetter;
  /** Milliseconds, as Date.now(). */
  readonly clock?: Clock;
}

/**
 * The TLS options an HTTPS server needs for client-certificate authentication: ask every client
 * for a certificate and check it against the cluster CA, but let the handshake finish either way,
 * so a request without one can still carry a token, or be answered with a Kubernetes 401 Status
 * instead of a dropped connection.
 */
export function clientCertificateTlsOptions(caCertificate: string): {
  ca: string;
  requestCert: true;
  rejectUnauthorized: false;
} {
  return { ca: caCertificate, requestCert: true, rejectUnauthorized: false };
}

/** One way of proving identity: a user, nothing to say (undefined), or an error. */
type Outcome = { user: UserInfo } | { error: string } | undefined;

/** RequestAuthenticator runs the authenticators in kube-apiserver's order: x509, then tokens. */
export class RequestAuthenticator {
  private readonly tokens: ServiceAccountTokenAuthenticator;

  constructor(options: RequestAuthenticatorOptions) {
    this.tokens = new ServiceAccountTokenAuthenticator(options);
  }

  async authenticate(request: AuthenticationRequest): Promise<AuthenticationResult> {
    const errors: string[] = [];
    const x509 = authenticateClientCertificate(request.socket);
    if (x509 !== undefined && 'user' in x509) return authenticated(x509.user, 'x509');
    if (x509 !== undefined) errors.push(x509.error);
    const token = await this.authenticateBearerToken(request.headers.authorization);
    if (token !== undefined && 'user' in token) return authenticated(token.user, 'token');
    if (token !== undefined) errors.push(token.error);
    return errors.length > 0 ? { status: 'Failed', errors } : { status: 'Anonymous', user: ANONYMOUS };
  }

  /**
   * Reads `Authorization: Bearer <token>`. Other schemes (Basic, ...) are not ours to judge and
   * count as no credential; a bearer token nobody accepts is an error, as in Kubernetes.
   */
  private async authenticateBearerToken(header: string | undefined): Promise<Outcome> {
    if (header === undefined) return undefined;
    const [scheme, token] = header.trim().split(/\s+/, 2);
    if (scheme?.toLowerCase() !== 'bearer' || token === undefined || token === '') return undefined;
    return this.tokens.authenticate(token);
  }
}

/**
 * Every authenticated user also belongs to system:authenticated, which bootstrap bindings such as
 * system:discovery name. Kubernetes leaves users alone who already claim either catch-all group.
 */
function authenticated(user: UserInfo, method: 'x509' | 'token'): AuthenticationResult {
  const claimsCatchAll = user.groups.some((g) => g === ALL_AUTHENTICATED || g === ALL_UNAUTHENTICATED);
  const groups = claimsCatchAll ? user.groups : [...user.groups, ALL_AUTHENTICATED];
  return { status: 'Authenticated', user: { ...user, groups }, method };
}

/**
 * The x509 authenticator. Node's TLS layer has already checked the chain against the cluster CA
 * (and, as Go does for kube-apiserver, that the certificate allows client authentication); here the
 * verdict is read and the subject turned into a user: CN the name, each O a group.
 */
/**
 * A connection's client certificate cannot change after the handshake, so its verdict is worked
 * out once per socket: reading the certificate and hashing it cost more than the rest of a small
 * request.
 */
const certificateOutcomes = new WeakMap<object, Outcome>();

function authenticateClientCertificate(socket: object): Outcome {
  if (certificateOutcomes.has(socket)) return certificateOutcomes.get(socket);
  const outcome = readClientCertificate(socket);
  certificateOutcomes.set(socket, outcome);
  return outcome;
}

function readClientCertificate(socket: object): Outcome {
  if (!isTlsSocket(socket)) return undefined;
  const peer = socket.getPeerCertificate();
  if (peer === null || Object.keys(peer).length === 0) return undefined;
  const commonName = firstValue(peer.subject?.CN);
  if (!socket.authorized) {
    return {
      error: `verifying certificate CN=${JSON.stringify(commonName ?? '')} failed: ${socket.authorizationError}`,
    };
  }
  // A certificate without a CN names nobody; Kubernetes lets the next authenticator try.
  if (commonName === undefined || commonName === '') return undefined;
  const fingerprint = createHash('sha256').update(peer.raw).digest('hex');
  return {
    user: {
      username: commonName,
      groups: allValues(peer.subject?.O),
      extra: { [CREDENTIAL_ID]: [`X509SHA256=${fingerprint}`] },
    },
  };
}

function isTlsSocket(socket: object): socket is TLSSocket {
  return 'getPeerCertificate' in socket && 'authorized' in socket;
}

/** Node gives a subject field as a string, or as an array when the certificate repeats it. */
function allValues(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return allValues(value)[0];
}

/** serviceAccountUsername is the user a service account acts as: system:serviceaccount:NS:NAME. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_PREFIX}${namespace}:${name}`;
}

/** The private claims of a bound service-account token, under the `kubernetes.io` key. */
interface KubernetesClaims {
  namespace: string;
  serviceaccount: { name: string; uid: string };
  pod?: { name: string; uid: string };
}

export interface TokenRequest {
  readonly namespace: string;
  /** The service account's name and UID; the UID ties the token to this incarnation of it. */
  readonly name: string;
  readonly uid: string;
  /** A pod the token is bound to: deleting the pod invalidates the token. */
  readonly boundPod?: { readonly name: string; readonly uid: string };
  readonly audiences?: readonly string[];
  /** TokenRequest's spec.expirationSeconds; Kubernetes' default is one hour. */
  readonly expirationSeconds?: number;
}

export interface ServiceAccountTokenGeneratorOptions {
  /** PEM private key the tokens are signed with (sa.key). */
  readonly privateKey: string;
  readonly issuer?: string;
  readonly clock?: Clock;
}

/**
 * ServiceAccountTokenGenerator mints bound service-account tokens: ES256 JWTs carrying the same
 * claims as the tokens kube-apiserver's TokenRequest API returns, so a learner can paste one into
 * jwt.io and compare it with a real cluster's.
 */
export class ServiceAccountTokenGenerator {
  private readonly key: KeyObject;
  private readonly keyId: string;
  private readonly issuer: string;
  private readonly clock: Clock;

  constructor(options: ServiceAccountTokenGeneratorOptions) {
    this.key = createPrivateKey(options.privateKey);
    this.keyId = keyIdOf(createPublicKey(this.key));
    this.issuer = options.issuer ?? DEFAULT_ISSUER;
    this.clock = options.clock ?? systemClock;
  }

  /** Returns the token and when it expires, the two fields of a TokenRequest's status. */
  async generateToken(request: TokenRequest): Promise<{ token: string; expirationTimestamp: Date }> {
    const now = Math.floor(this.clock.now() / 1000);
    const expires = now + (request.expirationSeconds ?? 3600);
    const claims: KubernetesClaims = {
      namespace: request.namespace,
      serviceaccount: { name: request.name, uid: request.uid },
    };
    if (request.boundPod !== undefined)
      claims.pod = { name: request.boundPod.name, uid: request.boundPod.uid };
    const token = await new SignJWT({ 'kubernetes.io': claims })
      .setProtectedHeader({ alg: 'ES256', kid: this.keyId })
      .setIssuer(this.issuer)
      .setSubject(serviceAccountUsername(request.namespace, request.name))
      .setAudience([...(request.audiences ?? [this.issuer])])
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(expires)
      .setJti(randomUUID())
      .sign(this.key);
    return { token, expirationTimestamp: new Date(expires * 1000) };
  }
}

/**
 * Kubernetes names signing keys by the unpadded base64url SHA-256 of their DER public key, so the
 * `kid` in a token header points at the key in the issuer's JWKS.
 */
function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64url');
}

/** Go's jwt library allows a minute of clock skew on exp and nbf; Kubernetes keeps that default. */
const CLOCK_SKEW_SECONDS = 60;

/** Checks bound service-account tokens and turns them into service-account users. */
class ServiceAccountTokenAuthenticator {
  private readonly key: KeyObject;
  private readonly issuer: string;
  private readonly audiences: string[];
  private readonly getter: ServiceAccountTokenGetter | undefined;
  private readonly clock: Clock;

  constructor(options: RequestAuthenticatorOptions) {
    this.key = createPublicKey(options.serviceAccountPublicKey);
    this.issuer = options.issuer ?? DEFAULT_ISSUER;
    this.audiences = [...(options.audiences ?? [this.issuer])];
    this.getter = options.serviceAccounts;
    this.clock = options.clock ?? systemClock;
  }

  async authenticate(token: string): Promise<Outcome> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        algorithms: ['ES256'],
        issuer: this.issuer,
        audience: this.audiences,
        currentDate: new Date(this.clock.now()),
        clockTolerance: CLOCK_SKEW_SECONDS,
      }));
    } catch (err) {
      return { error: tokenErrorMessage(err) };
    }
    const claims = parseKubernetesClaims(payload['kubernetes.io']);
    if (
      claims === undefined ||
      payload.sub !== serviceAccountUsername(claims.namespace, claims.serviceaccount.name)
    ) {
      return { error: 'service account token claims could not be validated' };
    }
    const stale = this.staleReason(claims);
    if (stale !== undefined) return { error: stale };
    const { namespace, serviceaccount, pod } = claims;
    const extra: Record<string, string[]> = {};
    if (pod !== undefined) {
      extra['authentication.kubernetes.io/pod-name'] = [pod.name];
      extra['authentication.kubernetes.io/pod-uid'] = [pod.uid];
    }
    if (typeof payload.jti === 'string') extra[CREDENTIAL_ID] = [`JTI=${payload.jti}`];
    return {
      user: {
        username: serviceAccountUsername(namespace, serviceaccount.name),
        uid: serviceaccount.uid,
        groups: [ALL_SERVICE_ACCOUNTS, `${ALL_SERVICE_ACCOUNTS}:${namespace}`],
        extra,
      },
    };
  }

  /** Why a well-signed token no longer counts, in Kubernetes' words; undefined while it does. */
  private staleReason(claims: KubernetesClaims): string | undefined {
    if (this.getter === undefined) return undefined;
    const { namespace, serviceaccount, pod } = claims;
    const account = this.getter.getServiceAccount(namespace, serviceaccount.name);
    if (account === undefined) return `serviceaccounts "${serviceaccount.name}" not found`;
    if (account.uid !== serviceaccount.uid) {
      return `service account UID (${account.uid}) does not match claim (${serviceaccount.uid})`;
    }
    if (pod === undefined) return undefined;
    const boundPod = this.getter.getPod(namespace, pod.name);
    if (boundPod === undefined) return 'service account token has been invalidated';
    if (boundPod.uid !== pod.uid) {
      return `pod UID (${boundPod.uid}) does not match service account pod ref claim (${pod.uid})`;
    }
    return undefined;
  }
}

function tokenErrorMessage(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'service account token has expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === 'nbf') {
    return 'service account token is not valid yet';
  }
  if (err instanceof joseErrors.JOSEError) return `invalid bearer token: ${err.message}`;
  throw err;
}

function parseKubernetesClaims(value: unknown): KubernetesClaims | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { namespace, serviceaccount, pod } = value as Record<string, unknown>;
  if (typeof namespace !== 'string' || namespace === '' || !isRef(serviceaccount)) return undefined;
  if (pod !== undefined && !isRef(pod)) return undefined;
  return pod === undefined ? { namespace, serviceaccount } : { namespace, serviceaccount, pod };
}

function isRef(value: unknown): value is { name: string; uid: string } {
  if (typeof value !== 'object' || value === null) return false;
  const { name, uid } = value as Record<string, unknown>;
  return typeof name === 'string' && name !== '' && typeof uid === 'string';
}
