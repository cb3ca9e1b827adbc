import { AppError } from '../../kernel/errors.js';
import { exec, commandFailed } from './exec.js';
import type { NetworkPlan } from './netns.js';

/** The layers of a host's overlay. */
export interface OverlayPlan {
  readonly lower: string;
  readonly upper: string;
  readonly work: string;
  readonly merged: string;
}

/**
 * Mounts the overlay and builds the network in one shell: each process the test process spawns costs it
 * ~10 ms of its single thread, so four spawns per host would cap how fast a fleet can start. A same-named
 * namespace or veth left by a crashed run (our slot lease is fresh, so it can only be a leftover) is removed
 * and the network built again.
 */
const PREPARE_SCRIPT = [
  'set -e',
  'mount -t overlay overlay -o "lowerdir=$1,upperdir=$2,workdir=$3" "$4"',
  'if ! printf "%s\\n" "$7" | ip -batch - 2>/dev/null; then',
  '  ip netns delete "$5" 2>/dev/null || true',
  '  ip link delete "$6" 2>/dev/null || true',
  '  printf "%s\\n" "$7" | ip -batch -',
  'fi',
  'printf "%s\\n" "$8" | ip -netns "$5" -batch -',
].join('\n');

export async function prepareHost(overlay: OverlayPlan, net: NetworkPlan): Promise<void> {
  // Overlay option values cannot hold commas or colons; our own paths never do, but a cache dir option might.
  for (const p of [overlay.lower, overlay.upper, overlay.work]) {
    if (/[,:]/.test(p))
      throw new AppError('STEWARD_TESTHOSTS_INVALID_SPEC', `Overlay paths may not contain ',' or ':': ${p}`);
  }
  const args = [
    '-c',
    PREPARE_SCRIPT,
    'steward-prepare',
    overlay.lower,
    overlay.upper,
    overlay.work,
    overlay.merged,
    net.netns,
    net.veth,
    net.outside,
    net.inside,
  ];
  const result = await exec('/bin/sh', args);
  if (result.code !== 0) throw commandFailed('prepare host', [net.netns], result);
}
