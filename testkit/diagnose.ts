import type { Core } from '../src/core/core.js';
import { until, type UntilOptions } from './wait.js';

/**
 * Where a server is, for a wait's error message: its status and reason, and the jobs about it that have not
 * succeeded (queue, status, attempts, last error), so a test that times out says why the server never got there.
 */
export async function serverDiagnosis(core: Pick<Core, 'db'>, serverId: string): Promise<string> {
  const server = await core.db
    .selectFrom('servers')
    .select(['status', 'status_reason'])
    .where('id', '=', serverId)
    .executeTakeFirst();
  const jobs = await core.db
    .selectFrom('jobs')
    .select(['queue', 'status', 'attempts', 'last_error'])
    .where('payload', 'like', `%${serverId}%`)
    .where('status', '!=', 'done')
    .execute();
  const said = server
    ? `server ${server.status}${server.status_reason ? ` (${server.status_reason})` : ''}`
    : 'no server';
  const pending = jobs.map((j) => `${j.queue} ${j.status} after ${j.attempts}: ${j.last_error ?? 'no error yet'}`);
  return [said, ...pending].join('; ');
}

/**
 * Waits until `reached` says the server got where the test needs it (`what`: "to be discovered", say); a timeout
 * says where the server is (`serverDiagnosis`, read once then), plus `more` when given (a child process's log).
 */
export async function untilServer(
  core: Pick<Core, 'db'>,
  serverId: string,
  what: string,
  reached: () => Promise<boolean>,
  options: UntilOptions & { readonly more?: () => string } = {},
): Promise<void> {
  try {
    await until(`server ${serverId} ${what}`, reached, options);
  } catch (err) {
    const more = options.more ? `; ${options.more()}` : '';
    throw new Error(`${(err as Error).message}: ${await serverDiagnosis(core, serverId)}${more}`, { cause: err });
  }
}

/** `untilServer` for a server to be `ready`, its status as `status` reads it (through the API, say). */
export function untilServerReady(
  core: Pick<Core, 'db'>,
  serverId: string,
  status: () => Promise<unknown>,
  options: UntilOptions & { readonly more?: () => string } = {},
): Promise<void> {
  return untilServer(core, serverId, 'to be ready', async () => (await status()) === 'ready', options);
}
