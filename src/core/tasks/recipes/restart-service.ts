import { z } from 'zod';
import { AppError } from '../../../kernel/errors.js';
import type { Step } from '../../../remote/index.js';
import { defineRecipe, type TaskContext } from '../recipe.js';
import { inspect } from './exec.js';
import { serviceName } from './params.js';
import { findService, isRunning, restartService } from './services.js';

export const restartServiceParams = z.object({ service: serviceName });
export type RestartServiceParams = z.infer<typeof restartServiceParams>;

/** sshd with a broken configuration would not come back, and new logins would be impossible. */
const SSH_SERVICES = new Set(['ssh', 'sshd']);

function restartStep(service: string): Step<TaskContext> {
  // Per run (a TaskContext): the engine may hand the same step list to many servers.
  const restarted = new WeakSet<TaskContext>();
  return {
    id: 'service-restarted',
    description: `${service} was restarted and is running`,
    check: async (ctx) => restarted.has(ctx) && isRunning(ctx, await findService(ctx, service)),
    async apply(ctx) {
      const svc = await findService(ctx, service);
      if (SSH_SERVICES.has(service)) {
        const tested = await inspect(ctx, ['sshd', '-t'], { acceptExitCodes: [0, 1, 255] });
        if (tested.exitCode !== 0) {
          throw new AppError(
            'STEWARD_RECIPE_CONFIG_REJECTED',
            `sshd -t rejects the current configuration, so sshd was not restarted:\n${tested.stderr.trim()}`,
          );
        }
      }
      await restartService(ctx, svc);
      restarted.add(ctx);
    },
  };
}

/**
 * Restarts one service through whatever manages it (systemd, OpenRC, its init script, or for Steward's own
 * daemons the daemon itself) and checks that it runs afterwards. An action: it restarts every time.
 */
export default defineRecipe<RestartServiceParams>({
  id: 'restart-service',
  title: 'Restart a service',
  description: 'Restart a service and check that it is running again.',
  kind: 'action',
  params: restartServiceParams,
  steps: ({ service }) => [restartStep(service)],
});
