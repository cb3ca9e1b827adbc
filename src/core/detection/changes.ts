/**
 * Findings from a discovery run's changes, for servers discovered but not (or not yet) sampled: the same rules'
 * subjects and keys as the sampling path, so a change seen by both is one finding. Pure.
 */
import type { FactChange } from '../discovery/collect/index.js';
import type { FindingDraft } from './detection.types.js';

export function draftsFromChanges(changes: readonly FactChange[], ownKeys: ReadonlySet<string>): FindingDraft[] {
  const added = (category: string) => changes.filter((c) => c.category === category && c.action === 'added');
  const out: FindingDraft[] = [];
  const newUid0 = new Set(added('uid0').map((c) => c.id));
  for (const name of newUid0)
    out.push({
      rule: 'privileged_account',
      key: `uid0:${name}`,
      severity: 'critical',
      title: `New account with uid 0: ${name}`,
      evidence: { account: name, uid: 0, via: 'discovery' },
    });
  for (const c of added('admins')) {
    if (!newUid0.has(c.id))
      out.push({
        rule: 'privileged_account',
        key: `admin:${c.id}`,
        severity: 'warning',
        title: `New administrator: ${c.id} can now become root`,
        evidence: { account: c.id, via: 'discovery' },
      });
  }
  for (const c of added('authorized_keys')) {
    const [user = '', fingerprint = ''] = c.id.split(' ');
    if (ownKeys.has(fingerprint)) continue;
    out.push({
      rule: 'authorized_key',
      key: c.id,
      severity: user === 'root' ? 'critical' : 'warning',
      title: `New SSH key authorized for ${user}`,
      evidence: { account: user, fingerprint, via: 'discovery' },
    });
  }
  const portKey = (id: string) => {
    const m = /^(tcp|udp) .*:(\d+)$/.exec(id);
    return m ? `${m[1]}/${m[2]}` : null;
  };
  const removed = new Set(
    changes.filter((c) => c.category === 'ports' && c.action === 'removed').map((c) => portKey(c.id)),
  );
  const seen = new Set<string>();
  for (const c of added('ports')) {
    const key = portKey(c.id);
    // The same port moving to another address is not a new port (both sides of that show in one diff).
    if (!key || removed.has(key) || seen.has(key) || (key.startsWith('udp/') && Number(key.slice(4)) >= 32768))
      continue;
    seen.add(key);
    out.push({
      rule: 'listening_port',
      key,
      severity: 'warning',
      title: `New listening port ${key} (${c.id})`,
      evidence: { port: key, socket: c.id, via: 'discovery' },
    });
  }
  return out;
}
