import type { Command } from 'commander';
import { AppError } from '../../kernel/errors.js';
import { apiClient, loadLogin } from '../client.js';
import { say } from '../output.js';
import { readStdin } from '../prompt.js';
import type { Env } from '../runtime.js';
import { orgOf, resolveServers } from './fleet.js';
import { parseDuration } from './monitoring.js';

interface Grant {
  id: string;
  reason: string;
  justification: string;
  state: string;
  staff: { id: string; name: string } | null;
  scope: { serverIds: string[]; accountIds: string[]; actions: string[] };
  durationMinutes: number;
  startsAt: string | null;
  endsAt: string | null;
  supportRequestId: string | null;
}
interface SupportRequest {
  id: string;
  kind: string;
  subject: string;
  status: string;
  staff: { id: string; name: string } | null;
  serverIds: string[];
  durationMinutes: number;
  grantId: string | null;
  createdAt: string;
  messages?: { author: { kind: string; name: string }; body: string; at: string }[];
}

const GRANT_STATES = ['requested', 'approved', 'active', 'expired', 'revoked', 'denied'];

const grantLine = (g: Grant): string =>
  [
    g.id,
    g.state.padEnd(9),
    g.reason.padEnd(20),
    `${g.scope.serverIds.length} server(s)`.padEnd(12),
    (g.staff?.name ?? '(no staff yet)').padEnd(20),
    g.endsAt ? `until ${g.endsAt}` : `${g.durationMinutes} min once taken`,
  ].join('  ');

const supportLine = (r: SupportRequest): string =>
  [r.id, r.status.padEnd(6), r.kind.padEnd(13), (r.staff?.name ?? '(unassigned)').padEnd(20), r.subject].join('  ');

/** The message of `support open` and `support reply`: --message, or standard input with --message-stdin. */
async function messageOf(opts: { message?: string; messageStdin?: boolean }): Promise<string> {
  if ((opts.message === undefined) === !opts.messageStdin)
    throw new AppError('STEWARD_INVALID_INPUT', 'Give the message with --message <text> or --message-stdin.');
  const text = opts.message ?? (await readStdin());
  if (text.trim() === '') throw new AppError('STEWARD_INVALID_INPUT', 'The message is empty.');
  return text;
}

/**
 * `steward grants …` and `steward support …`: the customer's side of staff access, as in the console's Access
 * page: see every grant, narrow or revoke one, approve or refuse where policy asks, and talk to support.
 */
export function registerAccessCommands(program: Command, env: Env): void {
  const client = () => {
    const login = loadLogin(env);
    return apiClient(login.url, { token: login.token });
  };

  const grants = program
    .command('grants')
    .description('staff access to your servers: every grant, narrowed or revoked');
  grants
    .command('ls')
    .description('list grants, newest first')
    .option('--state <state>', `only grants in this state (${GRANT_STATES.join(', ')})`)
    .option('--org <id>', 'organisation')
    .option('--json', 'print JSON')
    .action(async (opts: { state?: string; org?: string; json?: boolean }) => {
      if (opts.state !== undefined && !GRANT_STATES.includes(opts.state))
        throw new AppError('STEWARD_INVALID_INPUT', `--state must be one of ${GRANT_STATES.join(', ')}.`);
      const call = client();
      const orgId = await orgOf(call, opts.org);
      const q = new URLSearchParams(opts.state ? { state: opts.state } : {});
      const { data } = await call<{ grants: Grant[] }>('GET', `/api/orgs/${orgId}/grants?${q}`);
      if (opts.json) return say(JSON.stringify(data.grants, null, 2));
      if (data.grants.length === 0) return say('No grants.');
      for (const g of data.grants) say(grantLine(g));
    });
  grants
    .command('show <grantId>')
    .description('one grant: its reason, scope and times')
    .option('--org <id>', 'organisation')
    .option('--json', 'print JSON')
    .action(async (grantId: string, opts: { org?: string; json?: boolean }) => {
      const call = client();
      const orgId = await orgOf(call, opts.org);
      const { data: g } = await call<Grant>('GET', `/api/orgs/${orgId}/grants/${encodeURIComponent(grantId)}`);
      if (opts.json) return say(JSON.stringify(g, null, 2));
      say(grantLine(g));
      say(`  justification: ${g.justification}`);
      say(`  servers: ${g.scope.serverIds.join(', ') || '(none)'}`);
      say(`  actions: ${g.scope.actions.join(', ')}`);
      if (g.supportRequestId) say(`  support request: ${g.supportRequestId}`);
    });
  grants
    .command('narrow <grantId>')
    .description('narrow a grant: fewer servers or actions, or an earlier end (a grant never widens)')
    .option('--servers <names>', 'keep only these servers (names or ids, comma-separated)')
    .option('--actions <list>', 'keep only these actions (comma-separated)')
    .option('--ends-in <duration>', 'end it this long from now (e.g. 15m, 1h)')
    .option('--ends-at <time>', 'end it at this ISO 8601 time')
    .option('--org <id>', 'organisation')
    .option('--json', 'print JSON')
    .action(
      async (
        grantId: string,
        opts: { servers?: string; actions?: string; endsIn?: string; endsAt?: string; org?: string; json?: boolean },
      ) => {
        if (opts.endsIn !== undefined && opts.endsAt !== undefined)
          throw new AppError('STEWARD_INVALID_INPUT', 'Give --ends-in or --ends-at, not both.');
        if (!opts.servers && !opts.actions && !opts.endsIn && !opts.endsAt)
          throw new AppError(
            'STEWARD_INVALID_INPUT',
            'Say what to narrow: --servers, --actions, --ends-in or --ends-at.',
          );
        const call = client();
        const orgId = await orgOf(call, opts.org);
        const body: Record<string, unknown> = {};
        if (opts.servers) body.serverIds = (await resolveServers(call, orgId, opts.servers)).ids;
        if (opts.actions)
          body.actions = opts.actions
            .split(',')
            .map((a) => a.trim())
            .filter(Boolean);
        if (opts.endsIn)
          body.endsAt = new Date(Date.now() + parseDuration(opts.endsIn, '--ends-in') * 1000).toISOString();
        if (opts.endsAt) body.endsAt = opts.endsAt;
        const { data: g } = await call<Grant>(
          'PATCH',
          `/api/orgs/${orgId}/grants/${encodeURIComponent(grantId)}`,
          body,
        );
        if (opts.json) return say(JSON.stringify(g, null, 2));
        say(`Narrowed: ${grantLine(g)}`);
      },
    );
  for (const [verb, path, done, help] of [
    ['revoke', 'revoke', 'Revoked', 'revoke a grant now; live terminal sessions under it end within seconds'],
    ['approve', 'approve', 'Approved', 'approve a suspicious-activity grant (where your policy says owners approve)'],
    ['deny', 'deny', 'Refused', 'refuse a grant that is not active yet'],
  ] as const) {
    grants
      .command(`${verb} <grantId>`)
      .description(help)
      .option('--org <id>', 'organisation')
      .option('--json', 'print JSON')
      .action(async (grantId: string, opts: { org?: string; json?: boolean }) => {
        const call = client();
        const orgId = await orgOf(call, opts.org);
        const { data: g } = await call<Grant>(
          'POST',
          `/api/orgs/${orgId}/grants/${encodeURIComponent(grantId)}/${path}`,
        );
        if (opts.json) return say(JSON.stringify(g, null, 2));
        say(`${done}: ${grantLine(g)}`);
      });
  }

  const support = program.command('support').description('support requests: ask for help, reply, close');
  support
    .command('ls')
    .description('list support and initial-setup requests')
    .option('--org <id>', 'organisation')
    .option('--json', 'print JSON')
    .action(async (opts: { org?: string; json?: boolean }) => {
      const call = client();
      const orgId = await orgOf(call, opts.org);
      const { data } = await call<{ requests: SupportRequest[] }>('GET', `/api/orgs/${orgId}/support-requests`);
      if (opts.json) return say(JSON.stringify(data.requests, null, 2));
      if (data.requests.length === 0) return say('No support requests.');
      for (const r of data.requests) say(supportLine(r));
    });
  support
    .command('show <requestId>')
    .description('one request with its messages')
    .option('--org <id>', 'organisation')
    .option('--json', 'print JSON')
    .action(async (requestId: string, opts: { org?: string; json?: boolean }) => {
      const call = client();
      const orgId = await orgOf(call, opts.org);
      const { data: r } = await call<SupportRequest>(
        'GET',
        `/api/orgs/${orgId}/support-requests/${encodeURIComponent(requestId)}`,
      );
      if (opts.json) return say(JSON.stringify(r, null, 2));
      say(supportLine(r));
      if (r.grantId) say(`  grant: ${r.grantId}`);
      for (const m of r.messages ?? []) say(`\n${m.at}  ${m.author.name} (${m.author.kind})\n${m.body}`);
    });
  support
    .command('open')
    .description(
      'ask for support on servers for a time; the staff member who takes it works under the grant it creates',
    )
    .requiredOption('--subject <text>', 'what it is about')
    .requiredOption('--servers <names>', 'servers staff may reach (names or ids, comma-separated)')
    .option('--for <duration>', 'how long staff may work once they take it (5m to 24h)', '1h')
    .option('--initial-setup', 'a request for initial setup rather than support')
    .option('--message <text>', 'the message')
    .option('--message-stdin', 'read the message from standard input')
    .option('--org <id>', 'organisation')
    .option('--json', 'print JSON')
    .action(
      async (opts: {
        subject: string;
        servers: string;
        for: string;
        initialSetup?: boolean;
        message?: string;
        messageStdin?: boolean;
        org?: string;
        json?: boolean;
      }) => {
        const message = await messageOf(opts);
        const seconds = parseDuration(opts.for, '--for');
        if (seconds % 60 !== 0) throw new AppError('STEWARD_INVALID_INPUT', '--for must be whole minutes.');
        const call = client();
        const orgId = await orgOf(call, opts.org);
        const { ids } = await resolveServers(call, orgId, opts.servers);
        const { data: r } = await call<SupportRequest>('POST', `/api/orgs/${orgId}/support-requests`, {
          kind: opts.initialSetup ? 'initial_setup' : 'support',
          subject: opts.subject,
          message,
          serverIds: ids,
          durationMinutes: seconds / 60,
        });
        if (opts.json) return say(JSON.stringify(r, null, 2));
        say(`Opened ${r.id}: ${r.subject} (${r.serverIds.length} server(s), ${r.durationMinutes} min once taken).`);
      },
    );
  support
    .command('reply <requestId>')
    .description('reply on a request')
    .option('--message <text>', 'the reply')
    .option('--message-stdin', 'read the reply from standard input')
    .option('--org <id>', 'organisation')
    .action(async (requestId: string, opts: { message?: string; messageStdin?: boolean; org?: string }) => {
      const body = await messageOf(opts);
      const call = client();
      const orgId = await orgOf(call, opts.org);
      const { data: r } = await call<SupportRequest>(
        'POST',
        `/api/orgs/${orgId}/support-requests/${encodeURIComponent(requestId)}/messages`,
        { body },
      );
      say(`Replied on ${r.id} (${r.messages?.length ?? 0} messages).`);
    });
  support
    .command('close <requestId>')
    .description('close a request; its grant ends with it')
    .option('--org <id>', 'organisation')
    .action(async (requestId: string, opts: { org?: string }) => {
      const call = client();
      const orgId = await orgOf(call, opts.org);
      const { data: r } = await call<SupportRequest>(
        'POST',
        `/api/orgs/${orgId}/support-requests/${encodeURIComponent(requestId)}/close`,
      );
      say(`Closed ${r.id}${r.grantId ? `; grant ${r.grantId} ended with it` : ''}.`);
    });
}
