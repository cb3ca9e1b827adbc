/**
 * Where in each interval a server is sampled. Every server has a fixed offset from its id (its phase), so a
 * fleet's samples are spread over the interval instead of all starting together: fewer logins busy at once, on
 * Steward, on the network and on a machine that hosts several of the servers.
 */

/** The server's offset in every interval of `intervalMs`, from its id (FNV-1a). */
export function phaseOf(serverId: string, intervalMs: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < serverId.length; i++) h = Math.imul(h ^ serverId.charCodeAt(i), 0x01000193) >>> 0;
  return h % intervalMs;
}

/** How far from `at` to the next time on `phase` (0 when `at` is on it). */
function gapTo(at: number, intervalMs: number, phase: number): number {
  return (((phase - at) % intervalMs) + intervalMs) % intervalMs;
}

/**
 * The next sample after the one at `slot`: one interval on when the server is on its phase already; otherwise (its
 * first sample, taken at once, or a new interval) the next time on its phase, never more than one interval on.
 */
export function onPhase(slot: number, intervalMs: number, phase: number): number {
  const gap = gapTo(slot, intervalMs, phase);
  return slot + (gap === 0 ? intervalMs : gap);
}

/**
 * The first sample of a server whose monitoring begins at `nowMs` together with others (an organisation that
 * monitors every server): on its phase within the first interval, so that a fleet's first samples (each with a
 * first login) are spread over it rather than all due at once, and each is followed by the next one interval on.
 */
export function firstOnPhase(nowMs: number, intervalMs: number, phase: number): number {
  return nowMs + gapTo(nowMs, intervalMs, phase);
}
