/** A new listening port: something started accepting connections. */
import type { Rule } from '../detection.types.js';

export const listeningPort: Rule = ({ before, after }) => {
  if (!before || !after) return [];
  const had = new Set(before.ports.map((p) => p.id));
  const seen = new Set<string>();
  return after.ports
    .filter((p) => !had.has(p.id) && !seen.has(p.id) && seen.add(p.id))
    .map((p) => ({
      rule: 'listening_port' as const,
      key: p.id,
      severity: 'warning' as const,
      title: `New listening port ${p.id}${p.process ? ` (${p.process})` : ''} on ${p.address}`,
      evidence: { port: p.id, address: p.address, process: p.process, portsBefore: before.ports.map((x) => x.id) },
    }));
};
