/**
 * SSH brute force: many failed logins from one address within the window. A success from that address after
 * the failures makes it critical: the guessing may have worked.
 */
import type { AuthEvent, FindingDraft, Rule } from '../detection.types.js';

export const sshBruteForce: Rule = ({ auth, thresholds, nowMs, ownAddresses }) => {
  const since = nowMs - thresholds.bruteForceWindowMinutes * 60_000;
  const byAddress = new Map<string, AuthEvent[]>();
  for (const e of auth.window) {
    if (e.kind !== 'failure' || e.atMs < since || ownAddresses.has(e.address)) continue;
    byAddress.set(e.address, [...(byAddress.get(e.address) ?? []), e]);
  }
  const out: FindingDraft[] = [];
  for (const [address, failures] of byAddress) {
    if (failures.length < thresholds.bruteForceFailures) continue;
    const lastFailure = Math.max(...failures.map((f) => f.atMs));
    const success = auth.window.find(
      (e) => e.kind === 'success' && e.address === address && e.atMs >= failures[0]!.atMs,
    );
    const accounts = [...new Set(failures.map((f) => f.user ?? '(none)'))];
    out.push({
      rule: 'ssh_brute_force',
      key: address,
      severity: success ? 'critical' : 'warning',
      title: success
        ? `SSH brute force from ${address} followed by a successful login as ${success.user}`
        : `SSH brute force: ${failures.length} failed logins from ${address} in ${thresholds.bruteForceWindowMinutes} minutes`,
      evidence: {
        address,
        failures: failures.length,
        windowMinutes: thresholds.bruteForceWindowMinutes,
        accounts: accounts.slice(0, 20),
        firstAt: new Date(failures[0]!.atMs).toISOString(),
        lastAt: new Date(lastFailure).toISOString(),
        lines: failures.slice(-5).map((f) => f.line),
        ...(success
          ? { successfulLogin: { user: success.user, at: new Date(success.atMs).toISOString(), line: success.line } }
          : {}),
      },
    });
  }
  return out;
};
