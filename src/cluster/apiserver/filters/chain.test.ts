import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditEvent, AuditLog } from '../audit.ts';
import type { AuthenticationResult, UserInfo } from '../authn.ts';
import type { Attributes } from '../authz/attributes.ts';
import { sendJSON } from '../http.ts';
import { buildHandlerChain } from './chain.ts';

/*
 * The chain on a plain HTTP server over loopback, with an authenticator that reads the user from a
 * header and an authorizer that allows alice everything, bob only to impersonate carol, and
 * carol only to list pods. The handler answers with the user it was handed.
 */

const users: Record<string, UserInfo> = {
  alice: { username: 'alice', groups: ['system:authenticated'] },
  bob: { username: 'bob', groups: ['system:authenticated'] },
};

async function authenticate(req: IncomingMessage): Promise<AuthenticationResult> {
  const name = req.headers['x-user'];
  if (name === undefined) return { status: 'Failed', errors: ['no credential'] };
  const user = users[String(name)];
  return user ? { status: 'Authenticated', user, method: 'token' } : { status: 'Failed', errors: [] };
}

function authorize(a: Attributes) {
  const allowed =
    a.user.username === 'alice' ||
    (a.user.username === 'bob' && a.verb === 'impersonate' && a.name === 'carol') ||
    (a.user.username === 'carol' && a.verb === 'list' && a.resource === 'pods');
  return { decision: allowed ? ('Allow' as const) : ('NoOpinion' as const), reason: '' };
}

const audit = new AuditLog();
const events: AuditEvent[] = [];
audit.subscribe((event) => events.push(event));
let server: Server;
let base = '';

beforeAll(async () => {
  const chain = buildHandlerChain(async (ctx) => sendJSON(ctx.res, 200, { user: ctx.user.username }), {
    authenticate,
    authorize,
    audit,
  });
  server = createServer((req, res) => void chain(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Sends a request and waits for its audit record, written once the response is over. */
async function request(path: string, headers: Record<string, string> = {}) {
  const seen = events.length;
  const res = await fetch(`${base}${path}`, { headers });
  const body = (await res.json()) as { user?: string; message?: string };
  await expect.poll(() => events.length).toBeGreaterThan(seen);
  return { code: res.status, body, audit: events.at(-1)! };
}

describe('the handler chain', () => {
  it('hands the handler the authenticated user, and audits the allowed request', async () => {
    const { code, body, audit } = await request('/api/v1/namespaces/default/pods', { 'x-user': 'alice' });
    expect([code, body.user]).toEqual([200, 'alice']);
    expect(audit).toMatchObject({
      verb: 'list',
      user: { username: 'alice' },
      objectRef: { resource: 'pods', namespace: 'default' },
      responseStatus: { code: 200 },
      annotations: { 'authorization.k8s.io/decision': 'allow' },
    });
  });

  it('refuses a request nobody can be identified for with 401, and audits it as system:anonymous', async () => {
    const { code, audit } = await request('/api/v1/pods');
    expect(code).toBe(401);
    expect(audit.user.username).toBe('system:anonymous');
    expect(audit.annotations).toEqual({});
  });

  it('impersonates before it authorizes, so the request is decided as the impersonated user', async () => {
    const asCarol = { 'x-user': 'bob', 'impersonate-user': 'carol' };
    const list = await request('/api/v1/namespaces/default/pods', asCarol);
    expect([list.code, list.body.user, list.audit.user.username]).toEqual([200, 'carol', 'carol']);
    const get = await request('/api/v1/namespaces/default/pods/web', asCarol);
    expect(get.code).toBe(403);
    expect(get.body.message).toContain('User "carol" cannot get resource "pods"');
    expect(get.audit.annotations['authorization.k8s.io/decision']).toBe('forbid');
  });

  it('refuses an impersonation the caller may not make with 403 naming the caller', async () => {
    const { code, body, audit } = await request('/api/v1/pods', {
      'x-user': 'bob',
      'impersonate-user': 'dave',
    });
    expect(code).toBe(403);
    expect(body.message).toContain('User "bob" cannot impersonate resource "users"');
    expect(audit.annotations).toEqual({});
  });
});
