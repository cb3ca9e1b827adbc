import type { Command } from 'commander';
import { say } from '../output.js';
import { openLocal, requireUnsealed, type Env } from '../runtime.js';

/**
 * Operator commands of the privacy centre, on the Steward host. The worker runs analytics retention every hour on
 * its own; this runs it now (after lowering a retention setting, say) and says what it changed.
 */
export function registerPrivacyCommands(program: Command, env: Env): void {
  const privacy = program.command('privacy').description('privacy centre upkeep (operators, on the Steward host)');
  privacy
    .command('retention')
    .description('apply analytics retention now: truncate raw IP addresses past their time, delete old events')
    .action(async () => {
      const runtime = await openLocal(env, { migrate: 'require', logLevel: 'warn' });
      try {
        requireUnsealed(runtime);
        const { truncated, deleted } = await runtime.core.privacy.analytics.applyRetention();
        say(
          `Truncated ${truncated} raw address(es); deleted ${deleted} old event(s). IP addresses are kept ${runtime.config.privacy.analyticsIpRetentionMs / 86_400_000} days, events ${runtime.config.privacy.analyticsRetentionMs / 86_400_000} days.`,
        );
      } finally {
        await runtime.close();
      }
    });
}
