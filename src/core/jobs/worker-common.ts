import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** This process as a worker: `host:pid:random`, so logs and records say which machine and process ran a job. */
export function workerIdentity(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/** How long a job whose caps are full waits before it is offered again (jittered so workers do not retry in step). */
export function deferMs(random: () => number = Math.random): number {
  return 250 + Math.floor(random() * 500);
}

/** Waits for the promises to settle, but no longer than `ms`. */
export async function settleWithin(promises: readonly Promise<unknown>[], ms: number): Promise<void> {
  if (promises.length === 0 || ms <= 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.allSettled(promises), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
