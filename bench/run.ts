import { mkdirSync, writeFileSync } from 'node:fs';
import { benchApi } from './api.bench.js';
import { benchVault } from './vault.bench.js';

/**
 * `npm run bench [-- section…]`: Steward's own measurements, each reported as a ratio to a peer measured in the
 * same run on the same machine. Sections: vault, api. Results go to stdout (markdown) and .artifacts/bench.json.
 */
const sections = process.argv.slice(2);
const want = (name: string) => sections.length === 0 || sections.includes(name);
const results: Record<string, unknown> = { at: new Date().toISOString() };
const lines: string[] = ['# Steward benchmarks', ''];

if (want('vault')) {
  const v = await benchVault();
  results.vault = v;
  lines.push(
    '## Vault: 1 KiB secrets (one core)', '',
    '| | ops/s | ratio to raw AES-256-GCM (goal ≥ 0.5) |', '| --- | ---: | ---: |',
    `| raw seal | ${v.rawSealPerSec} | 1.00 |`,
    `| vault seal | ${v.vaultSealPerSec} | ${(v.vaultSealPerSec / v.rawSealPerSec).toFixed(2)} |`,
    `| raw open | ${v.rawOpenPerSec} | 1.00 |`,
    `| vault open | ${v.vaultOpenPerSec} | ${(v.vaultOpenPerSec / v.rawOpenPerSec).toFixed(2)} |`, '',
  );
}

if (want('api')) {
  const a = await benchApi();
  results.api = a;
  lines.push('## API: authenticated read (GET /api/orgs/:id, 10 connections, 10 s)', '', '| req/s | p50 ms | p99 ms | errors |', '| ---: | ---: | ---: | ---: |', `| ${a.requestsPerSec} | ${a.p50Ms} | ${a.p99Ms} | ${a.errors} |`, '');
}

mkdirSync('.artifacts', { recursive: true });
writeFileSync('.artifacts/bench.json', JSON.stringify(results, null, 2));
process.stdout.write(lines.join('\n'));
