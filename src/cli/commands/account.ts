import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CREDENTIAL_KINDS } from '../../core/credentials/credentials.service.js';
import { AppError } from '../../kernel/errors.js';
import { apiClient, loadLogin } from '../client.js';
import { say } from '../output.js';
import { askSecret } from '../prompt.js';
import type { Env } from '../runtime.js';
import { orgOf } from './fleet.js';

interface Credential {
  id: string;
  kind: string;
  name: string;
  hint: string;
  updatedAt: string;
}
interface Token {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

const credentialLine = (c: Credential): string =>
  [c.id, c.kind.padEnd(17), c.name.padEnd(30), c.hint.padEnd(12), `updated ${c.updatedAt}`].join('  ');

/**
 * `steward credentials …`, `steward tokens …` and `steward export`. A secret value is read from the terminal
 * without echo or from standard input, never from the command line (where `ps` and shell history would keep it).
 */
export function registerAccountCommands(program: Command, env: Env): void {
  const client = () => {
    const login = loadLogin(env);
    return apiClient(login.url, { token: login.token });
  };

  const credentials = program.command('credentials').description('sealed credentials: values go in, never come out');
  credentials
    .command('ls')
    .description('list credentials (their hints, never their values)')
    .option('--org <id>', 'organisation')
    .option('--json', 'print JSON')
    .action(async (opts: { org?: string; json?: boolean }) => {
      const call = client();
      const orgId = await orgOf(call, opts.org);
      const { data } = await call<{ credentials: Credential[] }>('GET', `/api/orgs/${orgId}/credentials`);
      if (opts.json) return say(JSON.stringify(data.credentials, null, 2));
      if (data.credentials.length === 0) return say('No credentials.');
      for (const c of data.credentials) say(credentialLine(c));
    });
  credentials
    .command('add <name>')
    .description('seal a credential; you are asked for its value (or pipe it with --value-stdin)')
    .option('--kind <kind>', `what it is (${CREDENTIAL_KINDS.join(', ')})`, 'password')
    .option('--value-stdin', 'read the value from standard input')
    .option('--org <id>', 'organisation')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { kind: string; valueStdin?: boolean; org?: string; json?: boolean }) => {
      if (!(CREDENTIAL_KINDS as readonly string[]).includes(opts.kind))
        throw new AppError('STEWARD_INVALID_INPUT', `--kind must be one of ${CREDENTIAL_KINDS.join(', ')}.`);
      const value = await askSecret('Value: ', opts.valueStdin === true);
      if (value.reveal() === '') throw new AppError('STEWARD_INVALID_INPUT', 'The value is empty.');
      const call = client();
      const orgId = await orgOf(call, opts.org);
      const { data: c } = await call<Credential>('POST', `/api/orgs/${orgId}/credentials`, {
        kind: opts.kind,
        name,
        value: value.reveal(),
      });
      if (opts.json) return say(JSON.stringify(c, null, 2));
      say(`Sealed ${c.id} (${c.name}, ${c.hint}).`);
    });
  credentials
    .command('replace <credentialId>')
    .description('replace a credential’s value; you are asked for it (or pipe it with --value-stdin)')
    .option('--value-stdin', 'read the value from standard input')
    .option('--org <id>', 'organisation')
    .action(async (credentialId: string, opts: { valueStdin?: boolean; org?: string }) => {
      const value = await askSecret('New value: ', opts.valueStdin === true);
      if (value.reveal() === '') throw new AppError('STEWARD_INVALID_INPUT', 'The value is empty.');
      const call = client();
      const orgId = await orgOf(call, opts.org);
      const { data: c } = await call<Credential>(
        'PUT',
        `/api/orgs/${orgId}/credentials/${encodeURIComponent(credentialId)}/value`,
        { value: value.reveal() },
      );
      say(`Replaced the value of ${c.id} (${c.name}, ${c.hint}).`);
    });
  credentials
    .command('rm <credentialId>')
    .description('delete a credential')
    .option('--org <id>', 'organisation')
    .action(async (credentialId: string, opts: { org?: string }) => {
      const call = client();
      const orgId = await orgOf(call, opts.org);
      await call('DELETE', `/api/orgs/${orgId}/credentials/${encodeURIComponent(credentialId)}`);
      say(`Deleted ${credentialId}.`);
    });

  const tokens = program.command('tokens').description('your API tokens');
  tokens
    .command('ls')
    .description('list your API tokens (never their values)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { data } = await client()<{ tokens: Token[] }>('GET', '/api/me/tokens');
      if (opts.json) return say(JSON.stringify(data.tokens, null, 2));
      for (const t of data.tokens) {
        const state = t.revokedAt ? `revoked ${t.revokedAt}` : t.expiresAt ? `expires ${t.expiresAt}` : 'no expiry';
        say([t.id, t.name.padEnd(30), `last used ${t.lastUsedAt ?? 'never'}`, state].join('  '));
      }
    });
  tokens
    .command('create <name>')
    .description('create an API token; its value is printed once, alone on standard output')
    .option('--expires-in-days <days>', 'days until it stops working (1–3650)')
    .action(async (name: string, opts: { expiresInDays?: string }) => {
      const days = opts.expiresInDays === undefined ? undefined : Number(opts.expiresInDays);
      if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 3650))
        throw new AppError('STEWARD_INVALID_INPUT', '--expires-in-days must be a whole number from 1 to 3650.');
      const { data } = await client()<{ id: string; token: string; expiresAt: string | null }>(
        'POST',
        '/api/me/tokens',
        { name, ...(days === undefined ? {} : { expiresInDays: days }) },
      );
      // Only the value goes to stdout, so `steward tokens create ci > token` keeps nothing else.
      process.stderr.write(`Created ${data.id}${data.expiresAt ? `, expires ${data.expiresAt}` : ''}.\n`);
      say(data.token);
    });
  tokens
    .command('revoke <tokenId>')
    .description('revoke an API token')
    .action(async (tokenId: string) => {
      await client()('DELETE', `/api/me/tokens/${encodeURIComponent(tokenId)}`);
      say(`Revoked ${tokenId}.`);
    });

  program
    .command('export')
    .description('export all your data: JSON with a readable summary (or only the summary with --summary)')
    .option('--summary', 'only the readable summary, as text')
    .option('--out <file>', 'write to this file (mode 0600) instead of standard output')
    .action(async (opts: { summary?: boolean; out?: string }) => {
      const call = client();
      const text = opts.summary
        ? (await call<{ summary: string }>('GET', '/api/me/export')).data.summary
        : JSON.stringify((await call<unknown>('GET', '/api/me/export')).data, null, 2);
      if (!opts.out) return say(text);
      writeFileSync(opts.out, `${text}\n`, { mode: 0o600 });
      say(`Wrote your data to ${opts.out}.`);
    });
}
