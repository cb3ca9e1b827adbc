#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { API_VERSION } from '../api/app.js';
import { processEnv } from '../kernel/config.js';
import { isAppError } from '../kernel/errors.js';
import { registerFleetCommands } from './commands/fleet.js';
import { registerLocalCommands } from './commands/local.js';
import { registerRemoteCommands } from './commands/remote.js';
import { registerProvisioningCommands } from './commands/provisioning.js';
import { registerSandboxCommand } from './commands/sandbox.js';
import { registerPrivacyCommands } from './commands/privacy.js';
import { registerMonitoringCommands } from './commands/monitoring.js';
import { registerBillingCommands } from './commands/billing.js';
import { registerBackupCommands } from './commands/backups.js';
import { registerAccessCommands } from './commands/access.js';
import { registerAccountCommands } from './commands/account.js';
import { serve, type Role } from './serve.js';

const env = processEnv();
const program = new Command();

program
  .name('steward')
  .description(
    'Steward looks after your cloud servers: sealed credentials, consent-gated staff access, audit.\nConfiguration comes from STEWARD_* environment variables (see docs/configuration.md).',
  )
  .version(API_VERSION)
  .showHelpAfterError('(run `steward --help` for usage)')
  .exitOverride();

program
  .command('serve')
  .description('run Steward: the API and console, the job runner, or both (default)')
  .option(
    '--role <role>',
    'all, api or worker',
    (value: string): Role => {
      if (value !== 'all' && value !== 'api' && value !== 'worker')
        throw new InvalidArgumentError('use all, api or worker');
      return value;
    },
    'all',
  )
  .option('--no-migrate', 'do not migrate the database at start (refuse to start if it is out of date)')
  .option(
    '--sandbox',
    'also run the sandbox clouds (real SSH hosts on this machine, needs root) and accept their endpoints',
  )
  .action(async (opts: { role: Role; migrate: boolean; sandbox?: boolean }) => serve(env, opts));

registerLocalCommands(program, env);
registerRemoteCommands(program, env);
registerProvisioningCommands(program, env);
registerSandboxCommand(program, env);
registerFleetCommands(program, env);
registerPrivacyCommands(program, env);
registerMonitoringCommands(program, env);
registerBillingCommands(program, env);
registerBackupCommands(program, env);
registerAccessCommands(program, env);
registerAccountCommands(program, env);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode;
  } else if (isAppError(err)) {
    process.stderr.write(`steward: ${err.message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`steward: unexpected failure: ${(err as Error)?.message ?? String(err)}\n`);
    process.exitCode = 70;
  }
}
