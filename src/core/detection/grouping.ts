/**
 * Which open incident a new finding belongs to. Related findings: on the same server within a few hours (one
 * intrusion shows as a brute force, then a new key, then a new port), or naming the same outside address
 * within a day (one attacker trying several servers). Otherwise the finding opens an incident of its own. Pure.
 */
import type { Severity } from './detection.types.js';

export interface OpenIncident {
  readonly id: string;
  readonly severity: Severity;
  /** Findings already in it: where and when, and the addresses their evidence names. */
  readonly findings: readonly {
    readonly serverId: string | null;
    readonly lastSeenMs: number;
    readonly address: string | null;
  }[];
}

export const SAME_SERVER_WINDOW_MS = 6 * 3600_000;
export const SAME_ADDRESS_WINDOW_MS = 24 * 3600_000;

export function incidentFor(
  finding: { readonly serverId: string | null; readonly address: string | null; readonly atMs: number },
  open: readonly OpenIncident[],
): string | null {
  let best: { id: string; lastMs: number } | null = null;
  for (const incident of open) {
    for (const f of incident.findings) {
      const sameServer =
        finding.serverId !== null &&
        f.serverId === finding.serverId &&
        finding.atMs - f.lastSeenMs <= SAME_SERVER_WINDOW_MS;
      const sameAddress =
        finding.address !== null &&
        f.address === finding.address &&
        finding.atMs - f.lastSeenMs <= SAME_ADDRESS_WINDOW_MS;
      if ((sameServer || sameAddress) && (!best || f.lastSeenMs > best.lastMs))
        best = { id: incident.id, lastMs: f.lastSeenMs };
    }
  }
  return best?.id ?? null;
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };
export const worse = (a: Severity, b: Severity): Severity => (RANK[a] >= RANK[b] ? a : b);

/** The outside address a finding's evidence names, if any (brute force, new login address). */
export function addressOf(evidence: Readonly<Record<string, unknown>>): string | null {
  return typeof evidence.address === 'string' ? evidence.address : null;
}
