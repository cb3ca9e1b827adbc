/**
 * This machine's test-host settings, and the prerequisite check, without vitest: plain scripts
 * (fleet-warm.ts, fleet-orphan.ts) use them too.
 */
import { checkPrerequisites, DEFAULT_CACHE_DIR, DEFAULT_RUN_DIR, type HostMode } from '../src/sandbox/hosts/index.js';

export const PREREQS_COMMAND = 'bash scripts/testhosts-prereqs.sh';

/** Where this machine keeps test-host state; the cache may be moved with STEWARD_TESTHOSTS_CACHE. */
export function testHostDirs(): { cacheDir: string; runDir: string } {
  return { cacheDir: process.env.STEWARD_TESTHOSTS_CACHE || DEFAULT_CACHE_DIR, runDir: DEFAULT_RUN_DIR };
}

/** Throws, with the command that fixes it, when this machine cannot run test hosts of `mode`. */
export function assertTestHostPrerequisites(mode: HostMode = 'isolated'): void {
  const report = checkPrerequisites(mode);
  if (report.ok) return;
  throw new Error(
    `Real SSH test hosts cannot run on this machine: ${report.problems.join('; ')}.\n` +
      `Fix it as root with: ${PREREQS_COMMAND}  (from the repository root; it installs what is missing)`,
  );
}
