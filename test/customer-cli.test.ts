// Engine: SQLite only: CLI output over the API; the access, credential and token stores run on both engines
// elsewhere (docs/testing.md).
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSession, type CliResult, type CliSession } from '../testkit/cli.js';
import { signUp, type SignedUp } from '../testkit/client.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';

const ok = (r: CliResult): string => {
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};
const refused = (r: CliResult, message: RegExp): void => {
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(message);
};

/** What a customer scripts from the terminal: grants, support requests, credentials, tokens and the data export. */
describe('the customer’s command line', () => {
  let s: TestSteward;
  let a: SignedUp;
  let session: CliSession;
  let home: string;
  let serverId: string;
  const cli = (args: string[], stdin?: string, extra?: Record<string, string>) => session.run(args, stdin, extra);

  beforeAll(async () => {
    s = await startTestSteward({ engine: 'sqlite' });
    a = await signUp(s.app);
    const token = (await a.client.post('/api/me/tokens', { name: 'cli test' })).body.token as string;
    session = await cliSession(s.app, token);
    home = session.home;
    const server = await a.client.post(`/api/orgs/${a.orgId}/servers`, {
      name: 'db-1',
      address: 'db-1.invalid',
      password: 'first-login-password',
      trustFirstContact: true,
    });
    expect(server.status).toBe(202);
    serverId = server.body.id as string;
  });

  afterAll(async () => {
    await s?.close();
    session?.close();
  });

  it('opens a support request with its message from stdin, replies, lists, shows and closes it', async () => {
    const opened = ok(
      await cli(
        [
          'support',
          'open',
          '--subject',
          'Disk filling on db-1',
          '--servers',
          'db-1',
          '--for',
          '30m',
          '--message-stdin',
        ],
        'The disk grows 2 GB an hour.\nPlease look.',
      ),
    );
    const id = /Opened (sup_\w+)/.exec(opened)?.[1];
    expect(id, opened).toBeDefined();
    expect(ok(await cli(['support', 'reply', id!, '--message', 'Still growing.']))).toMatch(/2 messages/);
    const listed = JSON.parse(ok(await cli(['support', 'ls', '--json']))) as { id: string; serverIds: string[] }[];
    expect(listed.find((r) => r.id === id)).toMatchObject({ serverIds: [serverId] });
    const shown = ok(await cli(['support', 'show', id!]));
    expect(shown).toContain('Disk filling on db-1');
    expect(shown).toContain('Please look.');
    expect(shown).toContain('Still growing.');
    expect(ok(await cli(['support', 'close', id!]))).toMatch(new RegExp(`Closed ${id}`));
    const stored = await a.client.get(`/api/orgs/${a.orgId}/support-requests/${id}`);
    expect(stored.body.status).toBe('closed');
  });

  it('refuses a support request without a message, or with a duration that is not whole minutes', async () => {
    refused(await cli(['support', 'open', '--subject', 'x', '--servers', 'db-1']), /--message/);
    refused(
      await cli(['support', 'open', '--subject', 'x', '--servers', 'db-1', '--for', '90s', '--message', 'm']),
      /whole minutes/,
    );
    refused(await cli(['support', 'open', '--subject', 'x', '--servers', 'nope', '--message', 'm']), /nope/);
  });

  it('lists grants, narrows one, revokes it and refuses another', async () => {
    const ask = () =>
      a.client.post(`/api/orgs/${a.orgId}/grants`, {
        reason: 'initial_setup',
        justification: 'Set up the database server',
        serverIds: [serverId],
        durationMinutes: 60,
      });
    const first = await ask();
    const second = await ask();
    expect([first.status, second.status]).toEqual([201, 201]);
    const listed = JSON.parse(ok(await cli(['grants', 'ls', '--state', 'requested', '--json']))) as { id: string }[];
    expect(listed.map((g) => g.id)).toEqual(expect.arrayContaining([first.body.id, second.body.id]));
    expect(ok(await cli(['grants', 'ls']))).toContain(first.body.id);

    expect(ok(await cli(['grants', 'narrow', first.body.id, '--actions', 'terminal']))).toMatch(/^Narrowed: /);
    expect((await a.client.get(`/api/orgs/${a.orgId}/grants/${first.body.id}`)).body.scope.actions).toEqual([
      'terminal',
    ]);
    // A grant never widens: asking for an action it does not have is refused, and the grant is unchanged.
    refused(await cli(['grants', 'narrow', first.body.id, '--actions', 'terminal,tasks']), /STEWARD_|wid|narrow/i);
    expect((await a.client.get(`/api/orgs/${a.orgId}/grants/${first.body.id}`)).body.scope.actions).toEqual([
      'terminal',
    ]);

    expect(ok(await cli(['grants', 'revoke', first.body.id]))).toMatch(/^Revoked: .*revoked/);
    expect(ok(await cli(['grants', 'deny', second.body.id]))).toMatch(/^Refused: .*denied/);
    const after = JSON.parse(ok(await cli(['grants', 'show', first.body.id, '--json']))) as { state: string };
    expect(after.state).toBe('revoked');
    refused(await cli(['grants', 'ls', '--state', 'sideways']), /--state must be one of/);
    refused(await cli(['grants', 'narrow', second.body.id]), /Say what to narrow/);
  });

  it('seals, replaces and deletes a credential read from stdin; the value never comes back', async () => {
    const canary = `canary-credential-${Date.now()}-value`;
    const added = await cli(['credentials', 'add', 'db-root', '--kind', 'database_password', '--value-stdin'], canary);
    const id = /Sealed (cred_\w+)/.exec(ok(added))?.[1];
    expect(id, added.stdout).toBeDefined();
    const listed = await cli(['credentials', 'ls', '--json']);
    expect(JSON.parse(ok(listed))).toEqual([
      expect.objectContaining({ id, name: 'db-root', kind: 'database_password' }),
    ]);
    const replaced = await cli(['credentials', 'replace', id!, '--value-stdin'], `${canary}-2`);
    expect(ok(replaced)).toMatch(/Replaced the value/);
    for (const r of [added, listed, replaced]) expect(`${r.stdout}${r.stderr}`).not.toContain(canary);
    refused(await cli(['credentials', 'add', 'x', '--kind', 'telepathy', '--value-stdin'], 'v'), /--kind must be/);
    refused(await cli(['credentials', 'add', 'x', '--value-stdin'], ''), /empty/);
    expect(ok(await cli(['credentials', 'rm', id!]))).toMatch(/Deleted/);
    expect(JSON.parse(ok(await cli(['credentials', 'ls', '--json'])))).toEqual([]);
  });

  it('creates a token whose value alone goes to stdout, uses it, lists and revokes it', async () => {
    const created = await cli(['tokens', 'create', 'ci pipeline', '--expires-in-days', '7']);
    const token = ok(created).trim();
    expect(token).not.toMatch(/\s/);
    expect(created.stderr).toMatch(/^Created tok_\w+, expires /);
    expect(ok(await cli(['whoami'], undefined, { STEWARD_TOKEN: token }))).toContain(a.email);
    const listed = JSON.parse(ok(await cli(['tokens', 'ls', '--json']))) as { id: string; name: string }[];
    const mine = listed.find((t) => t.name === 'ci pipeline');
    expect(mine).toBeDefined();
    expect(JSON.stringify(listed)).not.toContain(token);
    expect(ok(await cli(['tokens', 'revoke', mine!.id]))).toMatch(/Revoked/);
    refused(await cli(['whoami'], undefined, { STEWARD_TOKEN: token }), /STEWARD_UNAUTHENTICATED|sign|token/i);
    refused(await cli(['tokens', 'create', 'x', '--expires-in-days', '0']), /1 to 3650/);
  });

  it('exports the account’s data to a private file, or its readable summary', async () => {
    const file = join(home, 'export.json');
    expect(ok(await cli(['export', '--out', file]))).toMatch(/Wrote your data/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const exported = JSON.parse(readFileSync(file, 'utf8')) as { data: Record<string, unknown>; summary: string };
    expect(JSON.stringify(exported.data)).toContain(a.email);
    const summary = ok(await cli(['export', '--summary']));
    expect(summary).toContain(a.email);
    expect(summary.startsWith('{')).toBe(false);
  });
});
