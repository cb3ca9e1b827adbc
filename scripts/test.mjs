#!/usr/bin/env node
// The whole test run: prerequisites (system packages, the test hosts' roots), type check, format, lint and
// unused-code checks, build (the quickstart test runs the compiled Steward), then every vitest suite. Ends with
// one line "Tests: N passed, N failed" that CI reads.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';

const args = process.argv.slice(2);
let passed = 0;
let failed = 0;

/** Runs one step; a failure counts once and prints `fix`, what to do about it. */
function step(name, cmd, cmdArgs, { fix, ...options } = {}) {
  process.stdout.write(`\n── ${name}: ${cmd} ${cmdArgs.join(' ')}\n`);
  const started = Date.now();
  const res = spawnSync(cmd, cmdArgs, { stdio: 'inherit', ...options });
  const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
  if (res.status === 0) {
    passed++;
    process.stdout.write(`── ${name}: ok (${took})\n`);
  } else {
    failed++;
    process.stdout.write(`── ${name} FAILED (exit ${res.status ?? res.signal}, ${took})${fix ? `: ${fix}` : ''}\n`);
  }
  return res.status === 0;
}

step('system packages', 'bash', ['scripts/testhosts-prereqs.sh']);
// Builds the cached Debian root the isolated hosts share before vitest starts (about 90 s, once per machine).
step('test host base root', process.execPath, ['--import', 'tsx', 'testkit/fleet-warm.ts']);
// The root the recipe tests' hosts use (packages the recipes manage, installed offline); several minutes once.
step('test host recipe root', process.execPath, [
  '--import',
  'tsx',
  'testkit/fleet-warm.ts',
  'cron',
  'curl',
  'fail2ban',
  'mariadb-server',
  'nginx',
  'ufw',
  'unattended-upgrades',
]);
// The root the backup tests' hosts use (both database servers and a web server).
step('test host backup root', process.execPath, [
  '--import',
  'tsx',
  'testkit/fleet-warm.ts',
  'mariadb-server',
  'nginx',
  'postgresql',
]);
step('type check', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
step('format', 'npx', ['prettier', '--check', '--log-level', 'warn', '.'], {
  fix: 'the files named above are not formatted; run `npm run format` (or `npx prettier --write <file>`)',
});
// The cache (kept in node_modules) makes a run after a small change take seconds.
step('lint', 'npx', ['eslint', '--cache', '--cache-location', 'node_modules/.cache/eslint/', '.'], {
  fix: 'fix the problems named above (`npx eslint --fix <file>` fixes some); a rule is switched off only in eslint.config.js, with the reason',
});
step('unused code', 'npx', ['knip', '--no-progress'], {
  fix: 'remove the unused files, exports or dependencies named above, or, for an entry point knip cannot see, add it to knip.jsonc',
});
step('build', 'npm', ['run', '--silent', 'build']);

mkdirSync('.artifacts', { recursive: true });
const report = '.artifacts/vitest.json';
spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...args], {
  stdio: 'inherit',
});
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed += r.numPassedTests ?? 0;
  failed += (r.numFailedTests ?? 0) + (r.numRuntimeErrorTestSuites ?? 0);
  // A suite that failed without a failed test (it did not load, or a hook failed and its tests were skipped)
  // still counts as a failure.
  for (const suite of r.testResults ?? []) {
    if (suite.status === 'failed' && !(suite.assertionResults ?? []).some((a) => a.status === 'failed')) failed++;
  }
} else {
  failed++;
  process.stdout.write('── vitest wrote no report\n');
}

process.stdout.write(`\nTests: ${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
