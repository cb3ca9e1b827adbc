/**
 * Builds (or finds) the cached Debian root isolated test hosts start from, so a test run does not spend its
 * first ~90 s in a beforeAll hook: `node --import tsx testkit/fleet-warm.ts [extra packages…]`.
 */
import { ensureBaseRoot } from '../src/sandbox/hosts/index.js';
import { assertTestHostPrerequisites, testHostDirs } from './fleet-env.js';

assertTestHostPrerequisites('isolated');
const started = Date.now();
const root = await ensureBaseRoot({ cacheDir: testHostDirs().cacheDir, extraPackages: process.argv.slice(2) });
process.stdout.write(
  `test-host base root ${root.key} ready at ${root.dir} (${Math.round((Date.now() - started) / 100) / 10} s)\n`,
);
