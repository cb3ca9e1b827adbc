import type { Command } from 'commander';
import { AppError } from '../../kernel/errors.js';
import { apiClient, loadLogin } from '../client.js';
import { say } from '../output.js';
import { askSecret } from '../prompt.js';
import type { Env } from '../runtime.js';

interface ServerView {
  id: string;
  name: string;
  address: string;
  port: number;
  username: string;
  status: string;
  statusReason: string | null;
  hostKey: { fingerprint: string } | null;
}
interface RunView {
  id: string;
  status: string;
  progress: { total: number; queued: number; running: number; done: number; failed: number; changed: number };
  hosts: { serverId: string; status: string; error: string | null; exitCode: number | null }[];
}
interface OutputPage {
  entries: { serverId: string; stream: string; data: string }[];
  cursor: string;
  finished: boolean;
  run: RunView;
}

export type Call = ReturnType<typeof apiClient>;

/** The organisation commands act on: --org, or the only one the person belongs to. */
export async function orgOf(call: Call, org: string | undefined): Promise<string> {
  if (org) return org;
  const { data } = await call<{ orgs: { id: string; name: string }[] }>('GET', '/api/orgs');
  if (data.orgs.length === 1) return data.orgs[0]!.id;
  throw new AppError(
    'STEWARD_INVALID_INPUT',
    `You belong to ${data.orgs.length} organisations; say which with --org (${data.orgs.map((o) => o.id).join(', ')}).`,
  );
}

/** Server names or ids (comma-separated) to ids. */
export async function resolveServers(
  call: Call,
  orgId: string,
  spec: string,
): Promise<{ ids: string[]; names: Map<string, string> }> {
  const { data } = await call<{ servers: ServerView[] }>('GET', `/api/orgs/${orgId}/servers`);
  const names = new Map(data.servers.map((s) => [s.id, s.name]));
  const ids = spec
    .split(',')
    .map((w) => w.trim())
    .filter(Boolean)
    .map((w) => {
      const found = data.servers.find((s) => s.id === w || s.name === w);
      if (!found) throw new AppError('STEWARD_NOT_FOUND', `No server called ${w}; \`steward servers ls\` lists them.`);
      return found.id;
    });
  return { ids, names };
}

function bar(p: RunView['progress']): string {
  const width = 30;
  const filled = Math.round(((p.done + p.failed) / Math.max(1, p.total)) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done + p.failed}/${p.total} done, ${p.failed} failed, ${p.running} running`;
}

/** Follows a run: its output lines prefixed by server name, a progress bar on stderr; exit 1 if any server failed. */
async function follow(
  call: Call,
  orgId: string,
  run: RunView,
  names: Map<string, string>,
  quiet: boolean,
): Promise<void> {
  let cursor = '';
  const tty = process.stderr.isTTY;
  for (;;) {
    const { data } = await call<OutputPage>(
      'GET',
      `/api/orgs/${orgId}/task-runs/${run.id}/output${cursor ? `?after=${cursor}` : ''}`,
    );
    cursor = data.cursor;
    for (const e of data.entries) {
      if (quiet && e.stream === 'log') continue;
      const prefix = `${names.get(e.serverId) ?? e.serverId}: `;
      for (const line of e.data.replace(/\n$/, '').split('\n'))
        (e.stream === 'stderr' ? process.stderr : process.stdout).write(`${prefix}${line}\n`);
    }
    if (tty) process.stderr.write(`\r${bar(data.run.progress)}`);
    if (data.finished && data.entries.length === 0) {
      if (tty) process.stderr.write('\n');
      say(`${data.run.status}: ${bar(data.run.progress)}`);
      for (const h of data.run.hosts.filter((x) => x.status === 'failed'))
        say(`  ${names.get(h.serverId) ?? h.serverId}: ${h.error ?? 'failed'}`);
      if (data.run.status !== 'succeeded') process.exitCode = 1;
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 400));
  }
}

/** `steward servers …`, `steward run`, `steward tasks …`: the servers inventory and work on servers. */
/** The parts of a server's facts `steward facts` prints (the whole document is printed with --json). */
interface FactsSummary {
  readonly identity?: { readonly hostname?: string; readonly addresses?: readonly { address: string }[] };
  readonly os?: { readonly prettyName?: string };
  readonly packages?: readonly unknown[];
  readonly applications?: readonly { name: string }[];
  readonly ports?: readonly { protocol: string; port: number; process?: string }[];
  readonly admins?: { readonly uid0?: readonly string[]; readonly sudoers?: readonly unknown[] };
}

export function registerFleetCommands(program: Command, env: Env): void {
  const client = () => {
    const login = loadLogin(env);
    return apiClient(login.url, { token: login.token });
  };

  const servers = program.command('servers').description('the servers inventory');
  servers
    .command('ls')
    .description('list servers')
    .option('--org <id>', 'organisation')
    .option('--json', 'print JSON')
    .action(async (opts: { org?: string; json?: boolean }) => {
      const call = client();
      const orgId = await orgOf(call, opts.org);
      const { data } = await call<{ servers: ServerView[] }>('GET', `/api/orgs/${orgId}/servers`);
      if (opts.json) return say(JSON.stringify(data.servers, null, 2));
      for (const s of data.servers)
        say(
          `${s.id}  ${s.name.padEnd(16)} ${`${s.username}@${s.address}:${s.port}`.padEnd(28)} ${s.status}${s.statusReason ? ` (${s.statusReason})` : ''}`,
        );
    });

  servers
    .command('add')
    .description(
      'add a server: Steward logs in once with the password or key given, installs its own key, then forgets them',
    )
    .requiredOption('--name <name>', 'a name for the server')
    .requiredOption('--address <host>', 'host name or IP address')
    .option('--port <port>', 'SSH port', '22')
    .option('--user <user>', 'login user', 'root')
    .option('--password-stdin', 'read the first-login password from standard input (else you are asked)')
    .option('--key-stdin', 'read a first-login private key from standard input instead of a password')
    .option('--host-key-fingerprint <fp>', 'SHA256:… of the server’s host key (ssh-keygen -lf on the server)')
    .option('--trust-first-contact', 'accept the host key the server presents the first time (unverified)')
    .option('--org <id>', 'organisation')
    .action(
      async (opts: {
        name: string;
        address: string;
        port: string;
        user: string;
        passwordStdin?: boolean;
        keyStdin?: boolean;
        hostKeyFingerprint?: string;
        trustFirstContact?: boolean;
        org?: string;
      }) => {
        const call = client();
        const orgId = await orgOf(call, opts.org);
        const secret = await askSecret(
          opts.keyStdin ? 'Private key: ' : 'Password for the first login: ',
          opts.passwordStdin === true || opts.keyStdin === true,
        );
        const body = {
          name: opts.name,
          address: opts.address,
          port: Number(opts.port),
          username: opts.user,
          ...(opts.keyStdin ? { privateKey: secret.reveal() } : { password: secret.reveal() }),
          hostKeyFingerprint: opts.hostKeyFingerprint,
          trustFirstContact: opts.trustFirstContact,
        };
        const { data } = await call<ServerView>('POST', `/api/orgs/${orgId}/servers`, body);
        say(`Added ${data.id} (${data.name}); enrolling. \`steward servers ls\` shows when it is ready.`);
      },
    );

  servers
    .command('rm <server>')
    .description('remove a server (Steward takes its key off it first)')
    .option('--force', 'forget it without contacting it')
    .option('--org <id>', 'organisation')
    .action(async (server: string, opts: { force?: boolean; org?: string }) => {
      const call = client();
      const orgId = await orgOf(call, opts.org);
      const { ids } = await resolveServers(call, orgId, server);
      await call('DELETE', `/api/orgs/${orgId}/servers/${ids[0]}?force=${opts.force ? 'true' : 'false'}`);
      say(
        opts.force
          ? `Removed ${server}.`
          : `Removing ${server}: Steward takes its key off the server, then forgets it.`,
      );
    });

  program
    .command('run')
    .description('run a command on servers: steward run --servers web,db -- uptime')
    .requiredOption('--servers <list>', 'server names or ids, comma-separated (or --all)', '')
    .option('--all', 'every ready server')
    .option('--timeout <seconds>', 'time limit per server', '600')
    .option('--org <id>', 'organisation')
    .argument('<command...>', 'the command and its arguments (after --)')
    .action(async (command: string[], opts: { servers: string; all?: boolean; timeout: string; org?: string }) => {
      const call = client();
      const orgId = await orgOf(call, opts.org);
      if (!opts.all && !opts.servers)
        throw new AppError('STEWARD_INVALID_INPUT', 'Say where: --servers NAME[,NAME…] or --all.');
      const sel = opts.all
        ? { all: true, names: (await resolveServers(call, orgId, '')).names }
        : await resolveServers(call, orgId, opts.servers);
      const { data } = await call<RunView>('POST', `/api/orgs/${orgId}/commands`, {
        argv: command,
        timeoutSeconds: Number(opts.timeout),
        ...('ids' in sel ? { serverIds: sel.ids } : { all: true }),
      });
      await follow(call, orgId, data, sel.names, true);
    });

  program
    .command('discover')
    .description('discover servers now (one login each), with progress; `steward facts SERVER` shows the result')
    .option('--servers <list>', 'server names or ids, comma-separated', '')
    .option('--all', 'every ready server')
    .option('--full', 'run every section, even those whose inputs did not change since the last run')
    .option('--org <id>', 'organisation')
    .action(async (opts: { servers: string; all?: boolean; full?: boolean; org?: string }) => {
      const call = client();
      const orgId = await orgOf(call, opts.org);
      if (!opts.all && !opts.servers)
        throw new AppError('STEWARD_INVALID_INPUT', 'Say which: --servers NAME[,NAME…] or --all.');
      const sel = await resolveServers(call, orgId, opts.servers);
      const { data } = await call<{ runId: string }>('POST', `/api/orgs/${orgId}/discovery`, {
        ...(opts.all ? { all: true } : { serverIds: sel.ids }),
        ...(opts.full ? { full: true } : {}),
      });
      const run = (await call<RunView>('GET', `/api/orgs/${orgId}/task-runs/${data.runId}`)).data;
      await follow(call, orgId, run, sel.names, false);
    });

  program
    .command('facts <server>')
    .description('what Steward last learned about a server, and what changed since the run before')
    .option('--json', 'print all facts as JSON')
    .option('--org <id>', 'organisation')
    .action(async (server: string, opts: { json?: boolean; org?: string }) => {
      const call = client();
      const orgId = await orgOf(call, opts.org);
      const { ids } = await resolveServers(call, orgId, server);
      const { data } = await call<{ takenAt: string; summary: string; facts: FactsSummary }>(
        'GET',
        `/api/orgs/${orgId}/servers/${ids[0]}/facts`,
      );
      if (opts.json) return say(JSON.stringify(data.facts, null, 2));
      const f = data.facts;
      say(`${f.identity?.hostname ?? server} — ${f.os?.prettyName ?? 'unknown OS'} (taken ${data.takenAt})`);
      say(`  addresses: ${(f.identity?.addresses ?? []).map((x: { address: string }) => x.address).join(', ')}`);
      say(
        `  packages: ${(f.packages ?? []).length}; applications: ${(f.applications ?? []).map((x: { name: string }) => x.name).join(', ') || 'none recognised'}`,
      );
      say(
        `  listening: ${(f.ports ?? []).map((p: { protocol: string; port: number; process?: string }) => `${p.protocol}/${p.port}${p.process ? ` (${p.process})` : ''}`).join(', ')}`,
      );
      say(
        `  uid-0 accounts: ${(f.admins?.uid0 ?? []).join(', ')}; sudoers: ${(f.admins?.sudoers ?? []).map((x: unknown) => (typeof x === 'string' ? x : (x as { name?: string }).name)).join(', ') || 'none'}`,
      );
      say(`  changes since the previous run: ${data.summary}`);
    });

  const tasks = program.command('tasks').description('maintenance recipes');
  tasks
    .command('recipes')
    .description('list the recipes')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { data } = await client()<{ recipes: { id: string; title: string; kind: string }[] }>(
        'GET',
        '/api/recipes',
      );
      if (opts.json) return say(JSON.stringify(data.recipes, null, 2));
      for (const r of data.recipes) say(`${r.id.padEnd(26)} ${r.title} (${r.kind})`);
    });
  tasks
    .command('run <recipe>')
    .description('run a recipe on servers, with live output and progress')
    .option('--servers <list>', 'server names or ids, comma-separated', '')
    .option('--all', 'every ready server')
    .option('--param <key=value...>', 'recipe parameters', [])
    .option('--org <id>', 'organisation')
    .action(async (recipe: string, opts: { servers: string; all?: boolean; param: string[]; org?: string }) => {
      const call = client();
      const orgId = await orgOf(call, opts.org);
      if (!opts.all && !opts.servers)
        throw new AppError('STEWARD_INVALID_INPUT', 'Say where: --servers NAME[,NAME…] or --all.');
      const params = Object.fromEntries(
        opts.param.map((p) => {
          const i = p.indexOf('=');
          if (i < 1) throw new AppError('STEWARD_INVALID_INPUT', `--param ${p}: write key=value.`);
          return [p.slice(0, i), p.slice(i + 1)];
        }),
      );
      const sel = await resolveServers(call, orgId, opts.servers);
      const { data } = await call<RunView>('POST', `/api/orgs/${orgId}/task-runs`, {
        recipe,
        params,
        ...(opts.all ? { all: true } : { serverIds: sel.ids }),
      });
      await follow(call, orgId, data, sel.names, false);
    });
}
