import { createPublicKey, verify as verifySignature } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testkit/cli.js';
import { ENGINES, rawQuery } from '../testkit/db.js';
import { signUp, TestClient, type SignedUp } from '../testkit/client.js';
import { until } from '../testkit/wait.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';

describe.each(ENGINES)('audit log (%s)', (engine) => {
  let s: TestSteward;
  let a: SignedUp;

  beforeAll(async () => {
    s = await startTestSteward({ engine, env: { STEWARD_AUDIT_TIMEOUT_MS: '1000' } });
    a = await signUp(s.app);
  });
  afterAll(() => s?.close());

  const count = async () =>
    (
      await s.core.db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;
  const last = async () =>
    s.core.db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();

  it('writes exactly one entry per state-changing call, with who, what, where and when', async () => {
    const calls: [string, () => Promise<{ status: number }>, string][] = [
      ['org.renamed', () => a.client.patch(`/api/orgs/${a.orgId}`, { name: 'Renamed Org' }), a.orgId],
      [
        'credential.sealed',
        () =>
          a.client.post(`/api/orgs/${a.orgId}/credentials`, {
            kind: 'password',
            name: 'p',
            value: 'some-secret-value',
          }),
        a.orgId,
      ],
      ['member.invited', () => a.client.post(`/api/orgs/${a.orgId}/invitations`, { email: 'x@example.com' }), a.orgId],
      ['token.created', () => a.client.post('/api/me/tokens', { name: 't' }), ''],
      ['user.profile_updated', () => a.client.patch('/api/me', { name: 'New Name' }), ''],
      ['org.created', () => a.client.post('/api/orgs', { name: 'Second' }), ''],
    ];
    for (const [action, call, orgId] of calls) {
      const before = Number(await count());
      const res = await call();
      expect(res.status).toBeLessThan(300);
      expect(Number(await count())).toBe(before + 1);
      const row = await last();
      expect(row.action).toBe(action);
      expect(row.actor_type).toBe('user');
      expect(row.actor_id).toBe(a.userId);
      expect(row.request_id).toMatch(/^req_/);
      expect(row.ip).toBe('127.0.0.1');
      expect(row.at).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
      if (orgId) expect(row.org_id).toBe(orgId);
    }
  });

  it('writes one access.denied entry for a refused call, and the refusal changes nothing else', async () => {
    const member = await signUp(s.app);
    const inv = await a.client.post(`/api/orgs/${a.orgId}/invitations`, { email: member.email });
    await member.client.post('/api/invitations/accept', { token: inv.body.token });
    const before = Number(await count());
    const res = await member.client.patch(`/api/orgs/${a.orgId}`, { name: 'Hijacked' });
    expect(res.status).toBe(403);
    expect(Number(await count())).toBe(before + 1);
    const row = await last();
    expect(row).toMatchObject({ action: 'access.denied', result: 'denied', actor_id: member.userId, org_id: a.orgId });
  });

  it('customers read their own organisation’s log; staff reads are themselves audited', async () => {
    const res = await a.client.get(`/api/orgs/${a.orgId}/audit?limit=50`);
    expect(res.status).toBe(200);
    expect(res.body.entries.every((e: { action: string }) => typeof e.action === 'string')).toBe(true);
    expect(res.body.entries.map((e: { action: string }) => e.action)).toContain('user.signed_up');
    const b = await signUp(s.app);
    expect((await b.client.get(`/api/orgs/${a.orgId}/audit`)).status).toBe(404);
  });

  it('keeps hostile text inert: one JSON row per entry, no forged entries', async () => {
    const hostile = 'x\r\n{"fake":"entry"}\u2028\u001b[2J' + 'y'.repeat(2000);
    const res = await a.client.post(`/api/orgs/${a.orgId}/credentials`, {
      kind: 'password',
      name: 'n',
      value: hostile,
    });
    expect(res.status).toBe(201);
    const rows = await s.core.db.selectFrom('audit_log').select('details').execute();
    for (const r of rows) expect(() => JSON.parse(r.details)).not.toThrow();
    expect((await s.core.audit.verify()).broken).toBeUndefined();
  });

  it('fails closed: with the audit table gone, state changes answer 503 and change nothing; it recovers', async () => {
    await rawQuery(s.db, 'ALTER TABLE audit_log RENAME TO audit_log_away');
    try {
      const before = await s.core.db.selectFrom('credentials').selectAll().where('org_id', '=', a.orgId).execute();
      const res = await a.client.post(`/api/orgs/${a.orgId}/credentials`, {
        kind: 'password',
        name: 'nope',
        value: 'not-stored-value',
      });
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('STEWARD_AUDIT_UNAVAILABLE');
      expect(await s.core.db.selectFrom('credentials').selectAll().where('org_id', '=', a.orgId).execute()).toEqual(
        before,
      );
      const health = await new TestClient(s.app).get('/healthz');
      expect(health.status).toBe(503);
      expect(health.body.audit).toBe('failing');
    } finally {
      await rawQuery(s.db, 'ALTER TABLE audit_log_away RENAME TO audit_log');
    }
    const ok = await a.client.post(`/api/orgs/${a.orgId}/credentials`, {
      kind: 'password',
      name: 'yes',
      value: 'stored-value-now',
    });
    expect(ok.status).toBe(201);
    // The sealer finds out on its next pass (about a second) that the table is back.
    await until('the audit log to report healthy again', async () =>
      (await new TestClient(s.app).get('/healthz')).body.audit === 'ok' ? true : undefined,
    );
  });

  it('fails closed without hanging when the audit log is locked by someone else', async () => {
    const started = Date.now();
    let res;
    if (engine === 'postgres') {
      const url = s.db.env.STEWARD_DATABASE_URL as string;
      const locker = new pg.Client({ connectionString: url });
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE');
      try {
        res = await a.client.post(`/api/orgs/${a.orgId}/credentials`, {
          kind: 'password',
          name: 'locked',
          value: 'locked-out-value',
        });
      } finally {
        await locker.query('ROLLBACK');
        await locker.end();
      }
      expect(res.body.error.code).toBe('STEWARD_AUDIT_UNAVAILABLE');
    } else {
      const { default: SQLite } = await import('better-sqlite3');
      const locker = new SQLite(s.db.location);
      locker.exec('BEGIN IMMEDIATE');
      try {
        res = await a.client.post(`/api/orgs/${a.orgId}/credentials`, {
          kind: 'password',
          name: 'locked',
          value: 'locked-out-value',
        });
      } finally {
        locker.exec('ROLLBACK');
        locker.close();
      }
      expect(['STEWARD_AUDIT_UNAVAILABLE', 'STEWARD_DATABASE_UNAVAILABLE']).toContain(res.body.error.code);
    }
    expect(res.status).toBe(503);
    // Bounded, not hanging (the configured limit is 1 s; this only guards against a hang).
    expect(Date.now() - started).toBeLessThan(15_000);
    const names = (
      await s.core.db.selectFrom('credentials').select('name').where('org_id', '=', a.orgId).execute()
    ).map((r) => r.name);
    expect(names).not.toContain('locked');
  });

  it('`steward audit verify` names the first tampered, removed or truncated entry', async () => {
    const env = s.env;
    const intact = await runCli(['audit', 'verify'], env);
    expect(intact.code, intact.stderr).toBe(0);
    expect(intact.stdout).toMatch(/intact/);

    const rows = await s.core.db.selectFrom('audit_log').selectAll().orderBy('chain_seq').execute();
    expect(rows.every((r) => r.chain_seq !== null)).toBe(true);
    // Each change is put back in a `finally`, so one failed assertion does not leave the chain broken for the rest.
    const victim = rows[3]!;
    await rawQuery(s.db, 'UPDATE audit_log SET details = $1 WHERE seq = $2', ['{"edited":true}', victim.seq]);
    try {
      const tampered = await runCli(['audit', 'verify'], env);
      expect(tampered.code, tampered.stderr).toBe(1);
      expect(tampered.stdout).toContain(`entry ${victim.seq}`);
      expect(tampered.stdout).toContain(victim.id);
    } finally {
      await rawQuery(s.db, 'UPDATE audit_log SET details = $1 WHERE seq = $2', [victim.details, victim.seq]);
    }
    expect((await s.core.audit.verify()).broken).toBeUndefined();

    await rawQuery(s.db, 'DELETE FROM audit_log WHERE seq = $1', [rows[5]!.seq]);
    try {
      const removed = await s.core.audit.verify();
      expect(removed.broken?.chainSeq).toBe(rows[5]!.chain_seq);
    } finally {
      await s.core.db.insertInto('audit_log').values(rows[5]!).execute();
    }

    const lastRow = rows[rows.length - 1]!;
    const tail = await s.core.db
      .selectFrom('audit_log')
      .selectAll()
      .where('chain_seq', '>=', lastRow.chain_seq)
      .execute();
    await rawQuery(s.db, 'DELETE FROM audit_log WHERE chain_seq >= $1', [lastRow.chain_seq]);
    try {
      const truncated = await s.core.audit.verify({ seal: false });
      expect(truncated.broken?.chainSeq).toBe(lastRow.chain_seq);
    } finally {
      for (const r of tail) await s.core.db.insertInto('audit_log').values(r).execute();
    }
    expect((await s.core.audit.verify()).broken).toBeUndefined();
  });

  it('a writer never waits for the sealer: rows are written while the chain head is held', async () => {
    // The head row is the sealer's alone; holding it must not delay or refuse any audited action.
    if (engine === 'postgres') {
      const locker = new pg.Client({ connectionString: s.db.env.STEWARD_DATABASE_URL as string });
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query('SELECT * FROM audit_head WHERE id = 1 FOR UPDATE');
      try {
        const before = Number(await count());
        const res = await a.client.post(`/api/orgs/${a.orgId}/credentials`, {
          kind: 'password',
          name: 'while-head-held',
          value: 'written-while-held',
        });
        expect(res.status).toBe(201);
        expect(Number(await count())).toBe(before + 1);
        expect((await last()).chain_seq).toBeNull();
      } finally {
        await locker.query('ROLLBACK');
        await locker.end();
      }
    }
    // Once the head is free, the sealer links the new rows and the chain verifies.
    const verified = await s.core.audit.verify();
    expect(verified.broken).toBeUndefined();
    expect(verified.unsealed.count).toBe(0);
    expect((await last()).chain_seq).not.toBeNull();
  });

  it('an idle sealer writes nothing: the head is taken only when a row waits to be sealed', async () => {
    // How often the head row has been written: PostgreSQL gives every row version a new xmin; on SQLite a trigger
    // (made for this test) counts the updates.
    if (engine === 'sqlite') {
      await rawQuery(s.db, 'CREATE TABLE IF NOT EXISTS test_head_writes (n integer NOT NULL)');
      await rawQuery(s.db, 'INSERT INTO test_head_writes (n) VALUES (0)');
      await rawQuery(
        s.db,
        `CREATE TRIGGER test_head_written AFTER UPDATE ON audit_head
         BEGIN UPDATE test_head_writes SET n = n + 1; END`,
      );
    }
    const countQuery =
      engine === 'sqlite' ? 'SELECT n FROM test_head_writes' : 'SELECT xmin::text AS n FROM audit_head WHERE id = 1';
    const headWrites = async () => String((await rawQuery(s.db, countQuery))[0]!.n);
    try {
      await until(
        'every audit row sealed',
        async () => (await s.core.audit.verify({ seal: false })).unsealed.count === 0,
      );
      const before = await headWrites();
      // The sealer's timer passes every second (STEWARD_AUDIT_SEAL_MS): three passes with nothing to seal.
      await sleep(3_200);
      expect(await headWrites()).toBe(before);
      // A new row is sealed by the timer or the write's own pass, and that takes the head.
      const res = await a.client.post(`/api/orgs/${a.orgId}/credentials`, {
        kind: 'password',
        name: 'after-idle-passes',
        value: 'written-after-idle',
      });
      expect(res.status).toBe(201);
      await until('the new row sealed', async () => (await last()).chain_seq !== null);
      expect(await headWrites()).not.toBe(before);
    } finally {
      if (engine === 'sqlite') {
        await rawQuery(s.db, 'DROP TRIGGER test_head_written');
        await rawQuery(s.db, 'DROP TABLE test_head_writes');
      }
    }
  });

  it('a forged or edited row that is not sealed yet is refused by the sealer and named by verify', async () => {
    const row = await last();
    const forged = {
      ...row,
      seq: Number(row.seq) + 1000,
      id: `${row.id.slice(0, -4)}zzzz`,
      details: '{"forged":true}',
      chain_seq: null,
      prev_hash: null,
      hash: null,
    };
    await s.core.db.insertInto('audit_log').values(forged).execute();
    try {
      const result = await s.core.audit.verify();
      expect(result.broken).toMatchObject({ seq: forged.seq, chainSeq: null, id: forged.id });
      expect(result.broken?.reason).toMatch(/not sealed.*HMAC/);
      const still = await s.core.db.selectFrom('audit_log').select('chain_seq').where('id', '=', forged.id).execute();
      expect(still[0]?.chain_seq).toBeNull();
    } finally {
      await rawQuery(s.db, 'DELETE FROM audit_log WHERE id = $1', [forged.id]);
    }
    expect((await s.core.audit.verify()).broken).toBeUndefined();
  });

  it('signed checkpoints outside the database reveal a truncated log even when the head is moved back', async () => {
    await a.client.patch(`/api/orgs/${a.orgId}`, { name: 'Before checkpoint' });
    const cp = await runCli(['audit', 'checkpoint'], s.env);
    expect(cp.code, cp.stderr).toBe(0);
    const signed = JSON.parse(cp.stdout.slice(0, cp.stdout.lastIndexOf('}') + 1)) as {
      chainSeq: number;
      hash: string;
      at: string;
      signature: string;
      publicKey: string;
    };

    // A member downloads the same checkpoint and checks its signature with nothing but the public key.
    const res = await a.client.get(`/api/orgs/${a.orgId}/audit/checkpoint`);
    expect(res.status).toBe(200);
    expect(res.body.checkpoint).toMatchObject({ chainSeq: signed.chainSeq, hash: signed.hash });
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: res.body.publicKey }, format: 'jwk' });
    const c = res.body.checkpoint as typeof signed;
    const statement = `steward-audit-checkpoint/1\n${c.chainSeq}\n${c.hash}\n${c.at}\n`;
    expect(verifySignature(null, Buffer.from(statement), key, Buffer.from(c.signature, 'base64url'))).toBe(true);
    expect(verifySignature(null, Buffer.from(statement + 'x'), key, Buffer.from(c.signature, 'base64url'))).toBe(false);

    // Someone with the database alone removes the newest entries, moves the head back and drops the stored
    // checkpoints: the chain that is left is consistent, but the file beside the root key still holds it.
    const keep = signed.chainSeq - 3;
    const kept = await s.core.db
      .selectFrom('audit_log')
      .select(['chain_seq', 'hash'])
      .where('chain_seq', '=', keep)
      .executeTakeFirstOrThrow();
    const removedRows = await s.core.db.selectFrom('audit_log').selectAll().where('chain_seq', '>', keep).execute();
    const storedCheckpoints = await s.core.db.selectFrom('audit_checkpoints').selectAll().execute();
    await rawQuery(s.db, 'DELETE FROM audit_log WHERE chain_seq > $1', [keep]);
    await rawQuery(s.db, 'UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1', [keep, kept.hash]);
    await rawQuery(s.db, 'DELETE FROM audit_checkpoints', []);
    try {
      const out = await runCli(['audit', 'verify'], s.env);
      expect(out.code, out.stderr).toBe(1);
      expect(out.stdout).toContain(`entries ${keep + 1}–${signed.chainSeq} of the chain were removed`);
    } finally {
      for (const r of removedRows) await s.core.db.insertInto('audit_log').values(r).execute();
      await rawQuery(s.db, 'UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1', [signed.chainSeq, signed.hash]);
      // The running sealer may have signed the moved-back head meanwhile: that checkpoint stays.
      for (const r of storedCheckpoints)
        await s.core.db
          .insertInto('audit_checkpoints')
          .values(r)
          .onConflict((oc) => oc.column('chain_seq').doNothing())
          .execute();
    }
    const after = await s.core.audit.verify();
    expect(after.broken).toBeUndefined();
    expect(after.checkpoint?.chainSeq).toBeGreaterThanOrEqual(signed.chainSeq);
  });
});
