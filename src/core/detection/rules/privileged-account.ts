/** A new uid-0 account (critical) or a new administrator: an account that can now become root (sudo, wheel…). */
import type { FindingDraft, Rule } from '../detection.types.js';

export const privilegedAccount: Rule = ({ before, after }) => {
  if (!before || !after) return [];
  const out: FindingDraft[] = [];
  const hadUid0 = new Set(before.uid0);
  for (const name of after.uid0) {
    if (hadUid0.has(name)) continue;
    out.push({
      rule: 'privileged_account',
      key: `uid0:${name}`,
      severity: 'critical',
      title: `New account with uid 0: ${name}`,
      evidence: { account: name, uid: 0, uid0Before: before.uid0, uid0Now: after.uid0 },
    });
  }
  const hadAdmin = new Set(before.admins);
  for (const name of after.admins) {
    if (hadAdmin.has(name) || (after.uid0.includes(name) && !hadUid0.has(name))) continue;
    out.push({
      rule: 'privileged_account',
      key: `admin:${name}`,
      severity: 'warning',
      title: `New administrator: ${name} can now become root`,
      evidence: { account: name, adminsBefore: before.admins, adminsNow: after.admins },
    });
  }
  return out;
};
