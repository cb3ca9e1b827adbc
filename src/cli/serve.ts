import { startApi } from '../api/server.js';
import { AppError } from '../kernel/errors.js';
import { openLocal, type Env } from './runtime.js';
import { exportLines, startSandbox, type RunningSandbox } from './commands/sandbox.js';

export type Role = 'all' | 'api' | 'worker';

/**
 * `steward serve`: the API and console (`api`), the job runner and standing schedules (`worker`), or both (`all`),
 * until SIGINT/SIGTERM. Run any number of each against one PostgreSQL (docs/operations/cluster.md): API nodes
 * keep no state of their own, workers share jobs through the queue and schedules through the database.
 */
export async function serve(env: Env, options: { role: Role; migrate: boolean; sandbox?: boolean }): Promise<void> {
  // --sandbox: the local clouds run in this process, and their loopback endpoints are accepted for accounts.
  let sandbox: RunningSandbox | undefined;
  if (options.sandbox) {
    sandbox = await startSandbox(env, { progress: (line) => process.stderr.write(`sandbox: ${line}\n`) });
    env = { ...env, STEWARD_SANDBOX_ENDPOINTS: 'true' };
  }
  const runtime = await openLocal(env, { migrate: options.migrate ? 'apply' : 'require' }).catch(
    async (err: unknown) => {
      await sandbox?.close();
      throw err;
    },
  );
  const { core, logger } = runtime;
  const status = core.vault.status();
  if (status.sealed)
    logger.error(
      { reason: status.reason },
      `vault sealed: ${status.message} Secret endpoints answer 503 until the right root key is configured and Steward restarted.`,
    );

  let stopApi: (() => Promise<void>) | undefined;
  if (options.role !== 'worker') {
    try {
      const { app, url } = await startApi(core);
      stopApi = () => app.close();
      logger.info({ url, database: core.engine, role: options.role }, `Steward is listening on ${url}`);
    } catch (err) {
      await runtime.close();
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'EADDRINUSE')
        throw new AppError(
          'STEWARD_CONFIG_INVALID',
          `Port ${runtime.config.port} on ${runtime.config.host} is already in use; stop the other process or set STEWARD_PORT.`,
        );
      throw err;
    }
  }
  if (options.role !== 'api') {
    core.startWorker();
    logger.info({ role: options.role, queue: core.queue.implementation }, 'job runner started');
  }
  if (sandbox) {
    process.stderr.write(
      `\nSandbox clouds are running. In another shell:\n${exportLines(sandbox.variables)
        .map((l) => `  ${l}`)
        .join('\n')}\n` +
        '  steward accounts add --provider ec2 --from-env\n  steward accounts add --provider elastichosts --from-env\n\n',
    );
  }

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'stopping');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await stopApi?.();
  // A worker lets running jobs finish for a while; what is still running then goes back to the queue for another.
  await core.close({ graceMs: options.role === 'api' ? 0 : runtime.config.cluster.stopGraceMs });
  await sandbox?.close();
}
