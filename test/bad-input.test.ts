import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/kernel/errors.js';
import { ENGINES } from '../testkit/db.js';
import { signUp, TestClient, type SignedUp, type Json } from '../testkit/client.js';
import { operationsOf, sampleOf } from '../testkit/openapi.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';

/** Sends raw bytes to the server and returns the raw answer (for requests no HTTP client would build). */
function rawRequest(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (d) => (data += d.toString()));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
    socket.write(bytes);
  });
}

describe.each(ENGINES)('bad input gets a coded 4xx, never a 500 (%s)', (engine) => {
  let s: TestSteward;
  let a: SignedUp;
  let port: number;

  beforeAll(async () => {
    s = await startTestSteward({ engine, env: { STEWARD_BODY_LIMIT_BYTES: '8192' } });
    a = await signUp(s.app);
    await s.app.listen({ host: '127.0.0.1', port: 0 });
    port = (s.app.server.address() as { port: number }).port;
  });
  afterAll(() => s?.close());

  const expectCoded = (res: { status: number; body: Json }, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message.length).toBeGreaterThan(10);
    expect(res.body.error.requestId).toMatch(/^req_/);
  };

  it('malformed JSON', async () => {
    const res = await a.client.request('POST', `/api/orgs/${a.orgId}/credentials`, '{"kind": "password", ', {
      'content-type': 'application/json',
    });
    expectCoded(res, 400, 'STEWARD_MALFORMED_JSON');
  });

  it('wrong types name the field', async () => {
    const res = await a.client.post(`/api/orgs/${a.orgId}/credentials`, { kind: 'password', name: 42, value: 'v' });
    expectCoded(res, 400, 'STEWARD_INVALID_INPUT');
    expect(res.body.error.message).toMatch(/name/);
  });

  it('extra fields are refused, not silently stored (mass assignment)', async () => {
    const res = await a.client.patch(`/api/orgs/${a.orgId}`, { name: 'New', id: 'org_x', status: 'deleted' });
    expectCoded(res, 400, 'STEWARD_INVALID_INPUT');
    expect(res.body.error.message).toMatch(/unknown field/);
    expect((await a.client.get(`/api/orgs/${a.orgId}`)).body.name).not.toBe('New');
    const me = await a.client.patch('/api/me', { name: 'Me', kind: 'staff', staffRoles: ['admin'] });
    expect(me.status).toBe(400);
    expect((await a.client.get('/api/me')).body.kind).toBe('customer');
  });

  it('oversized bodies', async () => {
    const res = await a.client.post(`/api/orgs/${a.orgId}/credentials`, {
      kind: 'password',
      name: 'big',
      value: 'x'.repeat(20_000),
    });
    expectCoded(res, 413, 'STEWARD_PAYLOAD_TOO_LARGE');
  });

  it('a body that is not JSON', async () => {
    const res = await a.client.request('POST', `/api/orgs/${a.orgId}/credentials`, 'kind=password', {
      'content-type': 'text/plain',
    });
    expect([400, 415]).toContain(res.status);
    expect(Object.keys(ERROR_CODES)).toContain(res.body.error.code);
  });

  it('unknown routes and bad ids in the path', async () => {
    expectCoded(await a.client.get('/api/nothing-here'), 404, 'STEWARD_ROUTE_NOT_FOUND');
    expectCoded(await a.client.get('/api/orgs/not-an-id'), 400, 'STEWARD_INVALID_INPUT');
    expectCoded(await a.client.get(`/api/orgs/${a.orgId}/audit?limit=100000`), 400, 'STEWARD_INVALID_INPUT');
  });

  it('CR, LF and NUL in headers are refused before any session is touched', async () => {
    const sessionsBefore = await s.core.db.selectFrom('sessions').selectAll().execute();
    const crlf = await rawRequest(
      port,
      `GET /api/me HTTP/1.1\r\nHost: x\r\nCookie: ${a.client.auth.cookie}\rX-Injected: 1\r\n\r\n`,
    );
    expect(crlf).toMatch(/^HTTP\/1\.1 400/);
    expect(crlf).toContain('STEWARD_BAD_HEADER');
    const nul = await rawRequest(
      port,
      `GET /api/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer stw_abc\u0000def\r\nConnection: close\r\n\r\n`,
    );
    expect(nul).toMatch(/^HTTP\/1\.1 400/);
    const ctl = await a.client.request('GET', '/api/me', undefined, { 'x-forwarded-for': '1.2.3.4\u0001' });
    expectCoded(ctl, 400, 'STEWARD_BAD_HEADER');
    const badAuth = await new TestClient(s.app).request('GET', '/api/me', undefined, {
      authorization: 'Basic Zm9vOmJhcg==',
    });
    expectCoded(badAuth, 401, 'STEWARD_UNAUTHENTICATED');
    expect(await s.core.db.selectFrom('sessions').selectAll().execute()).toEqual(sessionsBefore);
  });

  it('fuzzing every operation with random bodies, ids and queries never yields a 5xx', async () => {
    const doc = (await new TestClient(s.app).get('/api/openapi.json')).body;
    const ops = operationsOf(doc);
    const jsonValue = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
    );
    const failures: string[] = [];
    for (const op of ops) {
      if (op.path === '/api/auth/signout' || op.path === '/api/me/password') continue; // would end the fuzzing session
      await fc.assert(
        fc.asyncProperty(
          fc.dictionary(
            fc.constantFrom(...Object.keys((op.bodySchema?.properties as object) ?? { x: 1 }), 'extra'),
            jsonValue,
            { maxKeys: 5 },
          ),
          fc.oneof(fc.constant(a.orgId), fc.string({ maxLength: 30 }), fc.constant('org_00000000000000000000000000')),
          fc.boolean(),
          async (fields, id, startValid) => {
            const base = startValid && op.bodySchema ? (sampleOf(op.bodySchema) as Record<string, unknown>) : {};
            const url = op.path.replace(/\{(\w+)\}/g, (_, p: string) =>
              encodeURIComponent(p === 'orgId' ? id : `${p.replace('Id', '')}_${id}`),
            );
            const body = op.method === 'GET' || op.method === 'DELETE' ? undefined : { ...base, ...fields };
            const res = await a.client.request(op.method, url, body);
            if (res.status >= 500)
              failures.push(`${op.method} ${url} ${JSON.stringify(body)} → ${res.status} ${res.raw.slice(0, 200)}`);
            if (res.status >= 400) expect(Object.keys(ERROR_CODES)).toContain(res.body?.error?.code);
          },
        ),
        { numRuns: 40 },
      );
    }
    expect(failures).toEqual([]);
    expect((await s.core.audit.verify()).broken).toBeUndefined();
  }, 300_000);
});
