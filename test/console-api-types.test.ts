// Engine: SQLite only: no store behaviour is tested here (docs/testing.md).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderApiTypes, SCHEMA_FILE } from '../scripts/gen-api-types.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';

const ROOT = resolve(import.meta.dirname, '..');

function firstDifference(a: string, b: string): string | undefined {
  const left = a.split('\n');
  const right = b.split('\n');
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    if (left[i] !== right[i])
      return `line ${i + 1}: committed ${JSON.stringify(left[i] ?? '<end>')} but the API gives ${JSON.stringify(right[i] ?? '<end>')}`;
  }
  return undefined;
}

describe('console: its API types follow the API', () => {
  let s: TestSteward;
  beforeAll(async () => {
    s = await startTestSteward({ engine: 'sqlite' });
  });
  afterAll(() => s?.close());

  it('web/src/api/schema.d.ts is what the live app’s OpenAPI document generates (else run `npm run gen:api`)', async () => {
    const address = await s.app.listen({ host: '127.0.0.1', port: 0 });
    const document = (await (await fetch(`${address}/api/openapi.json`)).json()) as object;
    const fresh = await renderApiTypes(document);
    const difference = firstDifference(readFileSync(SCHEMA_FILE, 'utf8'), fresh);
    expect(difference, 'web/src/api/schema.d.ts is stale: run `npm run gen:api` and commit the result').toBeUndefined();
  });

  it('the console type-checks against those types (strict)', () => {
    try {
      execFileSync(
        process.execPath,
        [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'web', 'tsconfig.json')],
        { cwd: ROOT, stdio: 'pipe' },
      );
    } catch (err) {
      expect.fail(`tsc -p web/tsconfig.json failed:\n${String((err as { stdout?: Buffer }).stdout ?? '')}`);
    }
  });
});
