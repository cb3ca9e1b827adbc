import type { HostLauncher } from '../src/sandbox/hosts/index.js';

/**
 * Last-resort teardown: if the test process exits or is interrupted with hosts still up, end them before it
 * goes. Only blocking work runs in an 'exit' handler, hence `destroyAllSync`.
 */
const launchers = new Set<HostLauncher>();
let installed = false;

function destroyEverything(): void {
  for (const launcher of launchers) {
    try {
      launcher.destroyAllSync();
    } catch (err) {
      // Nobody is left to throw to; say it, and let the next run's cleanupStale finish the job.
      process.stderr.write(`test hosts: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  destroyEverything();
  // Re-raise so the process still ends as the signal intends, unless someone else (the test runner) handles it.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

export function registerForExit(launcher: HostLauncher): void {
  launchers.add(launcher);
  if (installed) return;
  installed = true;
  process.on('exit', destroyEverything);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}
