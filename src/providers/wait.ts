import { systemClock, type Clock } from '../kernel/clock.js';
import type { ComputeDriver } from './driver.js';
import { ProviderUnavailableError } from './errors.js';
import { abortableSleep } from './rate-limit.js';
import type { CallOptions, Node, NodeState } from './types.js';

export interface WaitOptions extends CallOptions {
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  readonly clock?: Clock;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Polls `getNode` until the node is in one of `states`. Providers change state asynchronously after
 * start/stop/create, so callers that need the outcome wait here rather than each writing their own loop.
 */
export async function waitForNodeState(
  driver: ComputeDriver,
  id: string,
  states: readonly NodeState[],
  opts: WaitOptions = {},
): Promise<Node> {
  const clock = opts.clock ?? systemClock;
  const sleep = opts.sleep ?? abortableSleep;
  const deadline = clock.nowMs() + (opts.timeoutMs ?? 10 * 60_000);
  for (;;) {
    const node = await driver.getNode(id, opts);
    if (states.includes(node.state)) return node;
    if (clock.nowMs() >= deadline) {
      throw new ProviderUnavailableError(
        `Node ${id} is still ${node.state}; it did not become ${states.join(' or ')} in time.`,
        { provider: driver.provider, operation: 'waitForNodeState' },
      );
    }
    await sleep(opts.intervalMs ?? 2_000, opts.signal);
  }
}
