import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { startTestSteward } from '../testkit/steward.js';

export interface VaultBench {
  readonly rawSealPerSec: number;
  readonly rawOpenPerSec: number;
  readonly vaultSealPerSec: number;
  readonly vaultOpenPerSec: number;
}

const perSec = (n: number, ms: number) => Math.round((n / ms) * 1000);

/** Seal/open of 1 KiB secrets through the vault, against plain Node AES-256-GCM measured in the same run. */
export async function benchVault(n = 50_000): Promise<VaultBench> {
  const plaintext = randomBytes(1024);
  const key = randomBytes(32);
  const aad = Buffer.from('scope|table|column|row|1');

  let t = performance.now();
  const raw: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const nonce = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', key, nonce);
    c.setAAD(aad);
    raw.push(Buffer.concat([nonce, c.update(plaintext), c.final(), c.getAuthTag()]));
  }
  const rawSeal = performance.now() - t;
  t = performance.now();
  for (const env of raw) {
    const d = createDecipheriv('aes-256-gcm', key, env.subarray(0, 12));
    d.setAAD(aad);
    d.setAuthTag(env.subarray(env.length - 16));
    Buffer.concat([d.update(env.subarray(12, env.length - 16)), d.final()]);
  }
  const rawOpen = performance.now() - t;

  const s = await startTestSteward({ engine: 'sqlite', env: { STEWARD_LOG_LEVEL: 'warn' } });
  try {
    const ctx = { scope: 'org_bench', table: 'credentials', column: 'value_sealed', row: 'cred_bench' };
    await s.core.vault.seal(ctx, plaintext); // create the scope's key outside the timing
    t = performance.now();
    const sealed: string[] = [];
    for (let i = 0; i < n; i++) sealed.push(await s.core.vault.seal(ctx, plaintext));
    const vaultSeal = performance.now() - t;
    t = performance.now();
    for (const env of sealed) await s.core.vault.open(ctx, env);
    const vaultOpen = performance.now() - t;
    return {
      rawSealPerSec: perSec(n, rawSeal),
      rawOpenPerSec: perSec(n, rawOpen),
      vaultSealPerSec: perSec(n, vaultSeal),
      vaultOpenPerSec: perSec(n, vaultOpen),
    };
  } finally {
    await s.close();
  }
}
