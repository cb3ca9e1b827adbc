import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrityError, decodeEnvelope, encodeEnvelope } from '../src/crypto/envelope.js';
import { newRootKey } from '../src/crypto/keys.js';
import { ENGINES, createTestDatabase, rawQuery } from '../testkit/db.js';
import { signUp, TestClient } from '../testkit/client.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';

describe.each(ENGINES)('vault (%s)', (engine) => {
  let s: TestSteward;
  beforeAll(async () => {
    s = await startTestSteward({ engine });
  });
  afterAll(() => s?.close());

  async function plantCredential(value = 'Cn4ry-db-password-0123456789') {
    const a = await signUp(s.app);
    const res = await a.client.post(`/api/orgs/${a.orgId}/credentials`, {
      kind: 'database_password',
      name: 'db',
      value,
    });
    expect(res.status).toBe(201);
    const row = await s.core.db
      .selectFrom('credentials')
      .selectAll()
      .where('id', '=', res.body.id)
      .executeTakeFirstOrThrow();
    return {
      a,
      id: res.body.id as string,
      row,
      ctx: { scope: a.orgId, table: 'credentials', column: 'value_sealed', row: res.body.id as string },
    };
  }

  it('creates the root key file with mode 0600 on first start', () => {
    const mode = statSync(join(s.dataDir, 'root.key')).mode & 0o777;
    expect(mode).toBe(0o600);
  });

  it('1,000 random bit flips in a stored envelope all fail with a typed integrity error', async () => {
    const { row, ctx } = await plantCredential();
    const stored = decodeEnvelope(row.value_sealed);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: stored.length * 8 - 1 }), async (bit) => {
        const flipped = Buffer.from(stored);
        flipped[bit >> 3]! ^= 1 << (bit & 7);
        await expect(s.core.vault.open(ctx, encodeEnvelope(flipped))).rejects.toBeInstanceOf(IntegrityError);
      }),
      { numRuns: 1000 },
    );
    expect((await s.core.vault.openText(ctx, row.value_sealed)).reveal()).toBe('Cn4ry-db-password-0123456789');
  });

  it('a ciphertext moved across organisation, row or column fails to open', async () => {
    const one = await plantCredential('first-secret-value-abcdefgh');
    const two = await plantCredential('second-secret-value-abcdefgh');
    // Copy organisation one's sealed value into organisation two's row, as an attacker with database access might.
    await s.core.db
      .updateTable('credentials')
      .set({ value_sealed: one.row.value_sealed })
      .where('id', '=', two.id)
      .execute();
    await expect(s.core.credentials.openCredential(two.a.orgId, two.id)).rejects.toBeInstanceOf(IntegrityError);
    await expect(s.core.vault.open({ ...one.ctx, scope: two.a.orgId }, one.row.value_sealed)).rejects.toBeInstanceOf(
      IntegrityError,
    );
    await expect(s.core.vault.open({ ...one.ctx, row: two.id }, one.row.value_sealed)).rejects.toBeInstanceOf(
      IntegrityError,
    );
    await expect(s.core.vault.open({ ...one.ctx, column: 'name_sealed' }, one.row.value_sealed)).rejects.toBeInstanceOf(
      IntegrityError,
    );
    // A person's sealed e-mail moved into another person's row fails the same way.
    const users = await s.core.db.selectFrom('users').selectAll().limit(2).execute();
    await expect(
      s.core.vault.open(
        { scope: users[1]!.id, table: 'users', column: 'email_sealed', row: users[1]!.id },
        users[0]!.email_sealed,
      ),
    ).rejects.toBeInstanceOf(IntegrityError);
  });

  it('200,000 encryptions under one key repeat no nonce and count every operation', async () => {
    const scope = `org_nonce_${engine}`;
    const ctx = { scope, table: 't', column: 'c', row: 'r' };
    const nonces = new Set<string>();
    const N = 200_000;
    for (let i = 0; i < N; i++) {
      const env = decodeEnvelope(await s.core.vault.seal(ctx, 'same plaintext'));
      nonces.add(env.subarray(5, 17).toString('base64'));
    }
    expect(nonces.size).toBe(N);
    const key = await s.core.db
      .selectFrom('vault_data_keys')
      .selectAll()
      .where('scope', '=', scope)
      .executeTakeFirstOrThrow();
    // Operations are reserved in blocks, so the stored count may run ahead of use by less than one block, never behind.
    expect(key.ops_reserved).toBeGreaterThanOrEqual(N);
    expect(key.ops_reserved).toBeLessThan(N + 1024);
  }, 120_000);

  it('answers garbage given to open with typed errors only', async () => {
    const ctx = { scope: 'org_x', table: 't', column: 'c', row: 'r' };
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (text) => {
        await expect(s.core.vault.open(ctx, text)).rejects.toBeInstanceOf(IntegrityError);
      }),
      { numRuns: 2000 },
    );
  });

  it('rotates data keys online: every value still opens, new writes use the new key, the old key is retired', async () => {
    const { a, id, row, ctx } = await plantCredential('rotating-secret-value-1234');
    const before = (
      await s.core.db
        .selectFrom('vault_data_keys')
        .selectAll()
        .where('scope', '=', a.orgId)
        .where('state', '=', 'active')
        .executeTakeFirstOrThrow()
    ).version;
    await s.core.rotation.rotateData({ scope: a.orgId });
    const after = await s.core.db.selectFrom('credentials').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(decodeEnvelope(after.value_sealed).readUInt32BE(1)).toBe(before + 1);
    expect((await s.core.credentials.openCredential(a.orgId, id)).reveal()).toBe('rotating-secret-value-1234');
    // The old ciphertext (e.g. from a backup) no longer opens: its key is retired.
    await expect(s.core.vault.open(ctx, row.value_sealed)).rejects.toBeInstanceOf(IntegrityError);
    const me = await a.client.get('/api/me');
    expect(me.status).toBe(200);
  });

  it('rotates the root key: data keys are rewrapped and everything still opens', async () => {
    const { a, id } = await plantCredential('root-rotation-secret-value');
    const r = await s.core.rotation.rotateRoot();
    expect(r.to).toBe(r.from + 1);
    const ring = readFileSync(join(s.dataDir, 'root.key'), 'utf8');
    expect(ring.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^v${r.to}:`))]);
    const under = await s.core.db
      .selectFrom('vault_data_keys')
      .select('root_version')
      .where('state', '!=', 'destroyed')
      .groupBy('root_version')
      .execute();
    expect(under.map((x) => x.root_version)).toEqual([r.to]);
    expect((await s.core.credentials.openCredential(a.orgId, id)).reveal()).toBe('root-rotation-secret-value');
    expect((await a.client.get('/api/me')).body.email).toBe(a.email);
  });

  it('crypto-shredding a scope makes its values unopenable', async () => {
    const { a, id, ctx, row } = await plantCredential('shred-me-secret-value-123');
    await s.core.vault.destroyScope(a.orgId, s.core.db);
    await expect(s.core.vault.open(ctx, row.value_sealed)).rejects.toBeInstanceOf(IntegrityError);
    await expect(s.core.credentials.openCredential(a.orgId, id)).rejects.toBeInstanceOf(IntegrityError);
  });
});

describe.each(ENGINES)('vault key limits and sealing (%s)', (engine) => {
  it('rotates a data key when its operation limit is reached, and the count survives a restart', async () => {
    const db = await createTestDatabase(engine);
    const dataDir = mkdtempSync(join(tmpdir(), 'steward-limit-'));
    try {
      const first = await startTestSteward({ engine, db, dataDir, env: { STEWARD_KEY_MAX_OPERATIONS: '1000' } });
      const ctx = { scope: 'org_limit', table: 't', column: 'c', row: 'r' };
      const versions: number[] = [];
      for (let i = 0; i < 1001; i++)
        versions.push(decodeEnvelope(await first.core.vault.seal(ctx, `v${i}`)).readUInt32BE(1));
      expect(versions.slice(0, 1000).every((v) => v === 1)).toBe(true);
      expect(versions[1000]).toBe(2);
      const before = await first.core.db
        .selectFrom('vault_data_keys')
        .selectAll()
        .where('scope', '=', 'org_limit')
        .orderBy('version')
        .execute();
      expect(before.map((k) => [k.version, k.state])).toEqual([
        [1, 'decrypt_only'],
        [2, 'active'],
      ]);
      expect(before[0]!.ops_reserved).toBe(1000);
      await first.close();

      const second = await startTestSteward({ engine, db, dataDir, env: { STEWARD_KEY_MAX_OPERATIONS: '1000' } });
      const after = await second.core.db
        .selectFrom('vault_data_keys')
        .selectAll()
        .where('scope', '=', 'org_limit')
        .orderBy('version')
        .execute();
      expect(after[1]!.ops_reserved).toBe(before[1]!.ops_reserved);
      for (let i = 0; i < 1000; i++) await second.core.vault.seal(ctx, `w${i}`);
      const third = await second.core.db
        .selectFrom('vault_data_keys')
        .selectAll()
        .where('scope', '=', 'org_limit')
        .orderBy('version')
        .execute();
      // Version 2 had used one operation before the restart and reserved a block; the restart can only over-count.
      expect(third.map((k) => k.state)).toEqual(['decrypt_only', 'decrypt_only', 'active']);
      expect(third[1]!.ops_reserved).toBe(1000);
      await second.close();
    } finally {
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('stays sealed with a missing or wrong root key: secret endpoints answer 503, nothing is written', async () => {
    const db = await createTestDatabase(engine);
    const dataDir = mkdtempSync(join(tmpdir(), 'steward-sealed-'));
    try {
      const first = await startTestSteward({ engine, db, dataDir });
      const a = await signUp(first.app);
      await first.close();
      const keyPath = join(dataDir, 'root.key');
      const goodKey = readFileSync(keyPath, 'utf8');

      for (const scenario of ['missing', 'wrong', 'wrong length'] as const) {
        if (scenario === 'missing') rmSync(keyPath);
        else
          writeFileSync(
            keyPath,
            scenario === 'wrong'
              ? `v1:${newRootKey().toString('base64')}\n`
              : `v1:${Buffer.alloc(16).toString('base64')}\n`,
            { mode: 0o600 },
          );
        const sealed = await startTestSteward({ engine, db, dataDir });
        const status = sealed.core.vault.status();
        expect(status.sealed).toBe(true);
        if (status.sealed) expect(status.reason).toBe(scenario === 'missing' ? 'root_key_missing' : 'root_key_wrong');
        const health = await new TestClient(sealed.app).get('/healthz');
        expect(health.status).toBe(503);
        expect(health.body.vault).toEqual({ sealed: true, reason: status.sealed ? status.reason : '' });
        const signin = await new TestClient(sealed.app).post('/api/auth/signin', {
          email: a.email,
          password: a.password,
        });
        expect(signin.status).toBe(503);
        expect(signin.body.error.code).toBe('STEWARD_SEALED');
        const signup = await new TestClient(sealed.app).post('/api/auth/signup', {
          email: 'new@example.com',
          password: 'a long password here',
          name: 'N',
          orgName: 'N',
        });
        expect(signup.status).toBe(503);
        // The missing key is never replaced by a fresh one: that would make the data unreadable for good.
        if (scenario === 'missing') expect(existsSync(keyPath)).toBe(false);
        await sealed.close();
      }
      const users = await rawQuery(db, 'select count(*) as n from users');
      expect(Number(users[0]!.n)).toBe(1);

      writeFileSync(keyPath, goodKey, { mode: 0o600 });
      const reopened = await startTestSteward({ engine, db, dataDir });
      expect(reopened.core.vault.status().sealed).toBe(false);
      expect(
        (await new TestClient(reopened.app).post('/api/auth/signin', { email: a.email, password: a.password })).status,
      ).toBe(200);
      await reopened.close();
    } finally {
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
