import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCanaries, findLeaks, type CanarySet } from '../testkit/canary.js';
import { dumpDatabase, ENGINES } from '../testkit/db.js';
import { seenResponses, signUp, TestClient } from '../testkit/client.js';
import { confirmationLink, startTestSteward, type TestSteward } from '../testkit/steward.js';

/** Routes whose answers may show a person their own (or their organisation's members') personal data. */
const PERSONAL_ROUTES = /^(\/api\/auth\/|\/api\/me\b|\/api\/orgs\/[^/]+\/(members|invitations)\b)/;

describe.each(ENGINES)('canary values never leak (%s)', (engine) => {
  let s: TestSteward;
  let c: CanarySet;
  const personalResponses: string[] = [];
  const otherResponses: string[] = [];

  beforeAll(async () => {
    s = await startTestSteward({ engine, env: { STEWARD_LOG_LEVEL: 'trace' } });
    c = makeCanaries();
    seenResponses.length = 0;
    const record = async (
      client: TestClient,
      method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
      url: string,
      body?: unknown,
    ) => {
      const res = await client.request(method, url, method === 'GET' || method === 'DELETE' ? undefined : (body ?? {}));
      (PERSONAL_ROUTES.test(url) ? personalResponses : otherResponses).push(
        `${JSON.stringify(res.headers)}\n${res.raw}`,
      );
      return res;
    };

    // 1. Plant: a person with canary personal data, credentials of every kind, an invitation to a canary address.
    const anon = new TestClient(s.app);
    const signup = await record(anon, 'POST', '/api/auth/signup', {
      email: c.email,
      password: c.userPassword,
      name: c.name,
      phone: c.phone,
      orgName: 'Canary Org',
    });
    expect(signup.status).toBe(202);
    const token = new URL(await confirmationLink(s.core, c.email)).hash.slice(1);
    expect((await record(anon, 'POST', '/api/auth/confirm', { token })).status).toBe(200);
    const signedIn = await record(anon, 'POST', '/api/auth/signin', { email: c.email, password: c.userPassword });
    const cookie = String(signedIn.headers['set-cookie']).split(';')[0]!;
    const me = new TestClient(s.app, { cookie, csrf: signedIn.body.csrfToken });
    const orgId = signedIn.body.orgs[0].id as string;
    const creds = [
      {
        kind: 'api_key',
        name: 'aws',
        value: JSON.stringify({ accessKeyId: c.awsAccessKeyId, secretAccessKey: c.awsSecretAccessKey }),
      },
      { kind: 'api_key', name: 'elastichosts', value: c.elasticKey },
      { kind: 'ssh_private_key', name: 'deploy key', value: c.sshPrivateKey },
      { kind: 'database_password', name: 'db', value: c.dbPassword },
    ];
    const ids: string[] = [];
    for (const cred of creds) {
      const res = await record(me, 'POST', `/api/orgs/${orgId}/credentials`, cred);
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    await record(me, 'PUT', `/api/orgs/${orgId}/credentials/${ids[3]}/value`, { value: `${c.dbPassword}-2` });
    const other = await signUp(s.app);
    await record(other.client, 'POST', `/api/orgs/${other.orgId}/invitations`, { email: c.email, role: 'member' });

    // 2. Exercise reads, lists and error paths that might echo input.
    await record(me, 'GET', `/api/orgs/${orgId}/credentials`);
    for (const id of ids) await record(me, 'GET', `/api/orgs/${orgId}/credentials/${id}`);
    await record(me, 'GET', `/api/orgs/${orgId}/audit`);
    await record(me, 'GET', `/api/orgs/${orgId}/jobs`);
    await record(me, 'GET', '/api/me');
    await record(me, 'GET', `/api/orgs/${orgId}/members`);
    await record(me, 'POST', `/api/orgs/${orgId}/credentials`, { kind: 'nonsense', name: 'x', value: c.dbPassword });
    await record(me, 'POST', `/api/orgs/${orgId}/credentials`, {
      kind: 'password',
      name: 'x',
      value: c.dbPassword,
      extra: c.awsSecretAccessKey,
    });
    await record(me, 'POST', `/api/orgs/${orgId}/credentials`, {
      kind: 'password',
      name: c.awsSecretAccessKey.repeat(5),
      value: c.dbPassword,
    });
    await record(me, 'PUT', `/api/orgs/${orgId}/credentials/cred_00000000000000000000000000/value`, {
      value: c.dbPassword,
    });
    await record(anon, 'POST', '/api/auth/signin', { email: c.email, password: `${c.userPassword}-wrong` });
    await record(anon, 'POST', '/api/auth/signin', { email: c.email, password: c.userPassword, totpCode: 'abc' });
    await record(anon, 'POST', '/api/auth/signup', {
      email: c.email,
      password: c.userPassword,
      name: c.name,
      orgName: 'dup',
    });
    await record(me, 'POST', '/api/me/password', { currentPassword: c.dbPassword, newPassword: c.awsSecretAccessKey });
    await record(anon, 'GET', `/api/orgs/${orgId}/credentials?token=${c.awsSecretAccessKey}`);
    await record(
      new TestClient(s.app, { token: `stw_${c.awsSecretAccessKey.replace(/[+/]/g, 'x')}` }),
      'GET',
      '/api/me',
    );
    await record(anon, 'GET', '/metrics');
    await record(anon, 'GET', '/api/openapi.json');
    await s.core.rotation.rotateData({ scope: orgId });
  });
  afterAll(() => s?.close());

  const secretsOf = (x: CanarySet) => ({
    awsSecretAccessKey: x.awsSecretAccessKey,
    awsAccessKeyId: x.awsAccessKeyId,
    elasticKey: x.elasticKey,
    sshPrivateKey: x.sshPrivateKey,
    dbPassword: x.dbPassword,
    userPassword: x.userPassword,
  });
  const personalOf = (x: CanarySet) => ({ email: x.email, phone: x.phone, name: x.name });

  it('the database (file or dump) holds no canary in clear', () => {
    const dump = dumpDatabase(s.db);
    expect(dump.length).toBeGreaterThan(1000);
    expect(dump).toContain('Canary Org'); // the dump is real: unsealed data is there
    expect(findLeaks(dump, secretsOf(c), 'database')).toEqual([]);
    expect(findLeaks(dump, personalOf(c), 'database', false)).toEqual([]);
  });

  it('logs at trace level hold no canary', () => {
    const logs = s.logs.join('\n');
    expect(s.logs.length).toBeGreaterThan(20);
    expect(findLeaks(logs, secretsOf(c), 'logs')).toEqual([]);
    expect(findLeaks(logs, personalOf(c), 'logs', false)).toEqual([]);
  });

  it('no API response holds a secret, and personal data appears only to its owner', () => {
    const all = [...personalResponses, ...otherResponses].join('\n');
    expect(findLeaks(all, secretsOf(c), 'responses')).toEqual([]);
    expect(findLeaks(otherResponses.join('\n'), personalOf(c), 'responses', false)).toEqual([]);
  });

  it('the audit log names secrets only by keyed hash, which an investigator can match', async () => {
    const rows = await s.core.db.selectFrom('audit_log').selectAll().execute();
    const text = JSON.stringify(rows);
    expect(findLeaks(text, { ...secretsOf(c), ...personalOf(c) }, 'audit')).toEqual([]);
    expect(text).toContain(s.core.vault.auditHash(c.dbPassword));
  });
});
