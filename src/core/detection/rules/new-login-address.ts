/**
 * A successful login from an address never seen for that account. While a server's auth log is read for the
 * first time, what it holds is the baseline (knownLogins is null then); Steward's own logins never count.
 */
import type { FindingDraft, Rule } from '../detection.types.js';

export const newLoginAddress: Rule = ({ auth, knownLogins, ownAddresses }) => {
  if (knownLogins === null) return [];
  const out = new Map<string, FindingDraft>();
  for (const e of auth.fresh) {
    if (e.kind !== 'success' || !e.user || ownAddresses.has(e.address)) continue;
    const key = `${e.user}@${e.address}`;
    if (knownLogins.has(key) || out.has(key)) continue;
    const firstForAccount = ![...knownLogins].some((k) => k.startsWith(`${e.user}@`));
    out.set(key, {
      rule: 'new_login_address',
      key,
      severity: e.user === 'root' ? 'critical' : 'warning',
      title: `${e.user} logged in from ${e.address}, an address not seen for this account before`,
      evidence: {
        account: e.user,
        address: e.address,
        method: e.method,
        at: new Date(e.atMs).toISOString(),
        line: e.line,
        firstLoginSeenForAccount: firstForAccount,
      },
    });
  }
  return [...out.values()];
};
