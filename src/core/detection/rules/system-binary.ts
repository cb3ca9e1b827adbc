/**
 * A changed system binary: a watched file whose hash changed and which no longer matches its package's own
 * checksum (or that no package claims). A change the package manager made (an upgrade) is not a finding.
 */
import type { Rule } from '../detection.types.js';

export const systemBinary: Rule = ({ before, after }) => {
  if (!before?.binaries || !after?.binaries) return [];
  const out = [];
  for (const [path, now] of Object.entries(after.binaries)) {
    const was = before.binaries[path];
    if (!was || (was.sha256 === now.sha256 && !(now.packaged === false && was.packaged !== false))) continue;
    if (now.packaged === true) continue;
    out.push({
      rule: 'system_binary' as const,
      key: path,
      severity: 'critical' as const,
      title:
        now.packaged === false
          ? `${path} was changed and no longer matches its package`
          : `${path} was changed (no package vouches for it)`,
      evidence: { path, sha256Before: was.sha256, sha256Now: now.sha256, matchesPackage: now.packaged },
    });
  }
  return out;
};
