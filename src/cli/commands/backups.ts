import type { Command } from 'commander';
import { sleep } from '../../kernel/clock.js';
import { AppError } from '../../kernel/errors.js';
import { apiClient, loadLogin } from '../client.js';
import { say } from '../output.js';
import type { Env } from '../runtime.js';
import { orgOf, resolveServers } from './fleet.js';

type Call = ReturnType<typeof apiClient>;

interface Plan {
  id: string;
  serverId: string;
  name: string;
  kind: string;
  database: string | null;
  paths: string[];
  everyMinutes: number;
  enabled: boolean;
  lastOkAt: string | null;
  lastFailedAt: string | null;
  nextRunAt: string;
}
interface Run {
  id: string;
  kind: string;
  status: string;
  bytesRead: number;
  bytesAdded: number;
  durationMs: number | null;
  snapshotId: string | null;
  progress: Record<string, unknown> | null;
  result: { changes?: { action: string; path: string; detail?: string }[]; total?: number } | null;
  error: { code: string; message: string } | null;
}
interface Point {
  id: string;
  planId: string;
  serverId: string;
  takenAt: string;
  sizeBytes: number;
  addedBytes: number;
  durationMs: number;
  entry: string;
}

const size = (n: number): string =>
  n >= 1 << 30
    ? `${(n / (1 << 30)).toFixed(1)} GiB`
    : n >= 1 << 20
      ? `${(n / (1 << 20)).toFixed(1)} MiB`
      : n >= 1024
        ? `${(n / 1024).toFixed(1)} KiB`
        : `${n} B`;

/** Waits for a run, showing its progress on stderr; exit 1 when it failed. */
async function follow(call: Call, orgId: string, runId: string, quiet: boolean): Promise<Run> {
  for (;;) {
    const { data } = await call<Run>('GET', `/api/orgs/${orgId}/backups/runs/${runId}`);
    if (data.status === 'succeeded' || data.status === 'failed') {
      if (!quiet) process.stderr.write('\n');
      if (data.status === 'failed') {
        process.exitCode = 1;
        say(`${data.kind} ${data.id} failed: ${data.error?.code ?? ''} ${data.error?.message ?? ''}`);
      }
      return data;
    }
    if (!quiet) {
      const p = data.progress ?? {};
      const moved = Number(p.bytesRead ?? p.bytesWritten ?? 0);
      process.stderr.write(`\r${data.kind} ${data.status}: ${String(p.phase ?? 'waiting')} ${size(moved)}        `);
    }
    await sleep(1000);
  }
}

/** `steward backups plans|run|ls|restore|check`: backups from the terminal, through the API. */
export function registerBackupCommands(program: Command, env: Env): void {
  const client = () => {
    const login = loadLogin(env);
    return apiClient(login.url, { token: login.token });
  };
  const backups = program.command('backups').description('backups and restore of databases and files (restic)');

  backups
    .command('plans [server]')
    .description('list backup plans (of one server), or with --propose what discovery suggests for it')
    .option('--org <id>', 'organisation')
    .option('--propose', 'show what discovery suggests backing up on the server (creates nothing)')
    .option('--create', 'with --propose: create every suggested plan')
    .option('--every <minutes>', 'with --create: minutes between backups', '1440')
    .option('--json', 'print JSON')
    .action(
      async (
        server: string | undefined,
        opts: { org?: string; propose?: boolean; create?: boolean; every: string; json?: boolean },
      ) => {
        const call = client();
        const orgId = await orgOf(call, opts.org);
        const serverId = server ? (await resolveServers(call, orgId, server)).ids[0] : undefined;
        if (opts.propose) {
          if (!serverId) throw new AppError('STEWARD_INVALID_INPUT', 'Name the server to propose plans for.');
          const { data } = await call<{ proposals: Record<string, unknown>[] }>(
            'GET',
            `/api/orgs/${orgId}/servers/${serverId}/backups/proposals`,
          );
          if (opts.create) {
            for (const p of data.proposals) {
              const { data: plan } = await call<Plan>('POST', `/api/orgs/${orgId}/backups/plans`, {
                ...p,
                everyMinutes: Number(opts.every),
              });
              say(`created ${plan.id}  ${plan.name}`);
            }
            return;
          }
          if (opts.json) return say(JSON.stringify(data.proposals, null, 2));
          if (data.proposals.length === 0)
            return say('Nothing to suggest: every database and web root found has a plan.');
          for (const p of data.proposals)
            say(`${String(p.kind).padEnd(11)} ${String(p.database ?? (p.paths as string[]).join(' '))}`);
          return say('Create them with --propose --create.');
        }
        const { data } = await call<{ plans: Plan[] }>(
          'GET',
          `/api/orgs/${orgId}/backups/plans${serverId ? `?serverId=${serverId}` : ''}`,
        );
        if (opts.json) return say(JSON.stringify(data.plans, null, 2));
        say(`${'plan'.padEnd(31)} ${'kind'.padEnd(11)} ${'what'.padEnd(30)} ${'every'.padStart(7)}  last good`);
        for (const p of data.plans)
          say(
            `${p.id.padEnd(31)} ${p.kind.padEnd(11)} ${(p.database ?? p.paths.join(' ')).slice(0, 30).padEnd(30)} ${`${p.everyMinutes}m`.padStart(7)}  ${p.lastOkAt ?? 'never'}${p.enabled ? '' : ' (off)'}`,
          );
      },
    );

  backups
    .command('run <plan>')
    .description('back up now and wait for the restore point')
    .option('--org <id>', 'organisation')
    .option('--no-wait', 'return at once')
    .action(async (plan: string, opts: { org?: string; wait: boolean }) => {
      const call = client();
      const orgId = await orgOf(call, opts.org);
      const { data } = await call<Run>('POST', `/api/orgs/${orgId}/backups/plans/${plan}/run`, {});
      if (!opts.wait) return say(data.id);
      const run = await follow(call, orgId, data.id, false);
      if (run.status === 'succeeded')
        say(
          `restore point ${run.snapshotId}: read ${size(run.bytesRead)}, added ${size(run.bytesAdded)} in ${Math.round((run.durationMs ?? 0) / 100) / 10} s`,
        );
    });

  backups
    .command('ls [server]')
    .description('restore points (of one server), newest first')
    .option('--org <id>', 'organisation')
    .option('--plan <id>', 'only this plan’s')
    .option('--json', 'print JSON')
    .action(async (server: string | undefined, opts: { org?: string; plan?: string; json?: boolean }) => {
      const call = client();
      const orgId = await orgOf(call, opts.org);
      const q = new URLSearchParams();
      if (server) q.set('serverId', (await resolveServers(call, orgId, server)).ids[0]!);
      if (opts.plan) q.set('planId', opts.plan);
      const { data } = await call<{ restorePoints: Point[] }>('GET', `/api/orgs/${orgId}/backups/restore-points?${q}`);
      if (opts.json) return say(JSON.stringify(data.restorePoints, null, 2));
      say(
        `${'restore point'.padEnd(14)} ${'taken'.padEnd(24)} ${'size'.padStart(10)} ${'added'.padStart(10)}  plan / entry`,
      );
      for (const p of data.restorePoints)
        say(
          `${p.id.slice(0, 12).padEnd(14)} ${p.takenAt.padEnd(24)} ${size(p.sizeBytes).padStart(10)} ${size(p.addedBytes).padStart(10)}  ${p.planId} ${p.entry}`,
        );
    });

  backups
    .command('restore <restorePoint>')
    .description(
      'restore a database or chosen paths (to the same or another server); --dry-run lists what would change',
    )
    .option('--org <id>', 'organisation')
    .option('--to <server>', 'another server of the organisation')
    .option('--database <name>', 'write into this database instead')
    .option('--path <path...>', 'only these paths (file restore points)')
    .option('--into <folder>', 'extract under this folder instead of the original places')
    .option('--dry-run', 'list what would change, change nothing')
    .option('--json', 'print JSON')
    .action(
      async (
        point: string,
        opts: {
          org?: string;
          to?: string;
          database?: string;
          path?: string[];
          into?: string;
          dryRun?: boolean;
          json?: boolean;
        },
      ) => {
        const call = client();
        const orgId = await orgOf(call, opts.org);
        const body = {
          snapshotId: point,
          ...(opts.to ? { targetServerId: (await resolveServers(call, orgId, opts.to)).ids[0] } : {}),
          ...(opts.database ? { database: opts.database } : {}),
          ...(opts.path ? { paths: opts.path } : {}),
          ...(opts.into ? { into: opts.into } : {}),
          dryRun: opts.dryRun === true,
        };
        const { data } = await call<Run>('POST', `/api/orgs/${orgId}/backups/restores`, body);
        const run = await follow(call, orgId, data.id, opts.json === true);
        if (opts.json) return say(JSON.stringify(run, null, 2));
        if (run.status !== 'succeeded') return;
        if (!opts.dryRun) return say(`restored (${size(run.bytesRead)} written)`);
        const changes = run.result?.changes ?? [];
        if (changes.length === 0) return say('Nothing would change.');
        for (const c of changes) say(`${c.action.padEnd(9)} ${c.path}${c.detail ? `  (${c.detail})` : ''}`);
        if ((run.result?.total ?? 0) > changes.length) say(`… and ${(run.result?.total ?? 0) - changes.length} more`);
      },
    );

  backups
    .command('check [repository]')
    .description('verify the backup repositories (restic check); without an id, every one')
    .option('--org <id>', 'organisation')
    .action(async (repository: string | undefined, opts: { org?: string }) => {
      const call = client();
      const orgId = await orgOf(call, opts.org);
      const { data } = await call<{ repositories: { id: string; name: string; initialised: boolean }[] }>(
        'GET',
        `/api/orgs/${orgId}/backups/repositories`,
      );
      const chosen = data.repositories.filter((r) => (repository ? r.id === repository : r.initialised));
      if (repository && chosen.length === 0) throw new AppError('STEWARD_NOT_FOUND', `No repository ${repository}.`);
      for (const repo of chosen) {
        const { data: run } = await call<Run>('POST', `/api/orgs/${orgId}/backups/repositories/${repo.id}/check`, {});
        const done = await follow(call, orgId, run.id, true);
        say(`${repo.name}: ${done.status === 'succeeded' ? 'ok' : 'FAILED'}`);
      }
    });
}
