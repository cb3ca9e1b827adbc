/** A new authorized SSH key for any account; keys Steward installs itself (the organisation's key) are expected. */
import type { Rule } from '../detection.types.js';

export const authorizedKey: Rule = ({ before, after, ownKeys }) => {
  if (!before || !after) return [];
  const had = new Set(before.authorizedKeys.map((k) => k.id));
  return after.authorizedKeys
    .filter((k) => !had.has(k.id) && !ownKeys.has(k.id.slice(k.user.length + 1)))
    .map((k) => ({
      rule: 'authorized_key' as const,
      key: k.id,
      severity: k.user === 'root' ? ('critical' as const) : ('warning' as const),
      title: `New SSH key authorized for ${k.user}${k.comment ? ` (${k.comment})` : ''}`,
      evidence: { account: k.user, fingerprint: k.id.slice(k.user.length + 1), type: k.type, comment: k.comment },
    }));
};
