import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { AppError } from '../../kernel/errors.js';
import { startSandboxClouds, type SandboxClouds } from '../../sandbox/clouds.js';
import {
  checkPrerequisites,
  cleanupStale,
  createHostLauncher,
  DEFAULT_CACHE_DIR,
  DEFAULT_RUN_DIR,
  ensureBaseRoot,
} from '../../sandbox/hosts/index.js';
import { launcherInstanceHosts } from '../../sandbox/instance-hosts.js';
import { say } from '../output.js';
import type { Env } from '../runtime.js';

export interface RunningSandbox {
  readonly clouds: SandboxClouds;
  /** What a client needs, in the names the AWS tools and ElasticHosts clients read. */
  readonly variables: Record<string, string>;
  close(): Promise<void>;
}

const quote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

/** The variables as shell `export` lines, for `eval "$(steward sandbox)"`-style use. */
export const exportLines = (variables: Record<string, string>): string[] =>
  Object.entries(variables).map(([k, v]) => `export ${k}=${quote(v)}`);

/**
 * Starts both sandbox clouds on loopback; their instances are real isolated OpenSSH hosts on this machine.
 * Needs root and the test-host prerequisites; the first run builds the cached Debian root (about 90 s).
 */
export async function startSandbox(
  env: Env,
  options: { host?: string; ec2Port?: number; elasticPort?: number; progress?: (line: string) => void } = {},
): Promise<RunningSandbox> {
  const report = checkPrerequisites('isolated');
  if (!report.ok) {
    throw new AppError(
      'STEWARD_TESTHOSTS_PREREQUISITES',
      `The sandbox's instances are real SSH hosts, which this machine cannot run: ${report.problems.join('; ')}. Fix it as root with: bash scripts/testhosts-prereqs.sh`,
    );
  }
  const cacheDir = env.STEWARD_TESTHOSTS_CACHE || DEFAULT_CACHE_DIR;
  await cleanupStale(DEFAULT_RUN_DIR);
  options.progress?.('preparing the instance image (the first time takes about 90 s)…');
  await ensureBaseRoot({ cacheDir });
  const launcher = createHostLauncher({ cacheDir, runDir: DEFAULT_RUN_DIR });
  const hosts = launcherInstanceHosts(launcher);
  // If the process dies without a clean close, its hosts go with it (only blocking work runs at exit).
  const onExit = () => {
    try {
      launcher.destroyAllSync();
    } catch {
      // the next start's cleanupStale removes what is left
    }
  };
  process.once('exit', onExit);
  let clouds: SandboxClouds;
  try {
    clouds = await startSandboxClouds({
      hosts,
      host: options.host ?? '127.0.0.1',
      ec2Port: options.ec2Port ?? 0,
      elasticPort: options.elasticPort ?? 0,
    });
  } catch (err) {
    await hosts.close();
    throw err;
  }
  const variables = {
    AWS_ENDPOINT_URL_EC2: clouds.ec2.url,
    AWS_ENDPOINT_URL_STS: clouds.ec2.url,
    AWS_ACCESS_KEY_ID: clouds.ec2.accessKeyId,
    AWS_SECRET_ACCESS_KEY: clouds.ec2.secretAccessKey,
    AWS_DEFAULT_REGION: clouds.ec2.region,
    ELASTICHOSTS_URL: clouds.elastic.url,
    ELASTICHOSTS_USER: clouds.elastic.user,
    ELASTICHOSTS_KEY: clouds.elastic.secretKey,
  };
  return {
    clouds,
    variables,
    async close() {
      process.removeListener('exit', onExit);
      await clouds.close();
      await hosts.close();
    },
  };
}

/** Resolves on the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

const port = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port number (0 picks a free one)');
  return n;
};

/** `steward sandbox`: the local clouds, until interrupted. */
export function registerSandboxCommand(program: Command, env: Env): void {
  program
    .command('sandbox')
    .description(
      'run local EC2 and ElasticHosts clouds whose instances are real SSH hosts on this machine (needs root); prints shell export lines for clients, runs until Ctrl-C, then removes its hosts',
    )
    .option('--host <address>', 'loopback address to listen on', '127.0.0.1')
    .option('--ec2-port <port>', 'port of the EC2 endpoint (0: a free one)', port, 0)
    .option('--elastic-port <port>', 'port of the ElasticStack endpoint (0: a free one)', port, 0)
    .action(async (o: { host: string; ec2Port: number; elasticPort: number }) => {
      const sandbox = await startSandbox(env, {
        host: o.host,
        ec2Port: o.ec2Port,
        elasticPort: o.elasticPort,
        progress: (line) => process.stderr.write(`sandbox: ${line}\n`),
      });
      for (const line of exportLines(sandbox.variables)) say(line);
      say(
        '# Connect them in Steward: steward accounts add --provider ec2 --from-env; steward accounts add --provider elastichosts --from-env',
      );
      say(
        '# (Steward must run with STEWARD_SANDBOX_ENDPOINTS=true to accept these loopback endpoints.) Ctrl-C stops the clouds and removes their hosts.',
      );
      const signal = await untilSignal();
      process.stderr.write(`sandbox: ${signal}: stopping and removing the instances' hosts\n`);
      await sandbox.close();
    });
}
