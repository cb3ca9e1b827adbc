import { hostname } from 'node:os';
import type { Command } from 'commander';
import { AppError } from '../../kernel/errors.js';
import { apiClient, loadLogin, saveLogin } from '../client.js';
import { say } from '../output.js';
import { ask, askSecret, readStdin } from '../prompt.js';
import type { Env } from '../runtime.js';

interface SessionOut {
  user: { email: string; name: string; kind: string };
  csrfToken: string;
  orgs: { id: string; name: string; role: string }[];
}

/** Commands that talk to a Steward over its HTTP API with a stored token. */
export function registerRemoteCommands(program: Command, env: Env): void {
  program
    .command('login')
    .description(
      'sign in to a Steward and store an API token for the other commands (~/.config/steward/cli.json, mode 0600)',
    )
    .option('--url <url>', 'the Steward to talk to', 'http://127.0.0.1:8080')
    .option('--email <email>', 'your e-mail address (you are asked for the password)')
    .option('--password-stdin', 'read the password from standard input')
    .option('--token-stdin', 'store an existing API token read from standard input instead of signing in')
    .action(async (opts: { url: string; email?: string; passwordStdin?: boolean; tokenStdin?: boolean }) => {
      if (!/^https?:\/\//.test(opts.url))
        throw new AppError('STEWARD_INVALID_INPUT', '--url must start with http:// or https://.');
      if (opts.tokenStdin) {
        const token = (await readStdin()).trim();
        const me = await apiClient(opts.url, { token })<{ email: string }>('GET', '/api/me');
        say(`Logged in as ${me.data.email}; token saved to ${saveLogin(env, { url: opts.url, token })}.`);
        return;
      }
      const email = opts.email ?? (await ask('E-mail: '));
      const password = await askSecret('Password: ', opts.passwordStdin === true);
      const anon = apiClient(opts.url);
      let signin;
      try {
        signin = await anon<SessionOut>('POST', '/api/auth/signin', { email, password: password.reveal() });
      } catch (err) {
        if (!(err instanceof AppError) || err.code !== 'STEWARD_TOTP_REQUIRED') throw err;
        const totpCode = await ask('One-time code: ');
        signin = await anon<SessionOut>('POST', '/api/auth/signin', { email, password: password.reveal(), totpCode });
      }
      const cookie = (signin.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const session = apiClient(opts.url, { cookie, csrf: signin.data.csrfToken });
      const created = await session<{ token: string }>('POST', '/api/me/tokens', {
        name: `cli on ${hostname()}`.slice(0, 100),
      });
      await session('POST', '/api/auth/signout');
      say(
        `Logged in as ${signin.data.user.email}; token saved to ${saveLogin(env, { url: opts.url, token: created.data.token })}.`,
      );
    });

  program
    .command('whoami')
    .description('show who the stored token signs you in as, and your organisations')
    .action(async () => {
      const login = loadLogin(env);
      const me = await apiClient(login.url, { token: login.token })<SessionOut>('GET', '/api/auth/session');
      say(`${me.data.user.name} <${me.data.user.email}> (${me.data.user.kind}) at ${login.url}`);
      for (const org of me.data.orgs) say(`  ${org.id}  ${org.name}  (${org.role})`);
    });

  const orgs = program.command('orgs').description('your organisations');
  orgs
    .command('ls')
    .description('list your organisations')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const login = loadLogin(env);
      const res = await apiClient(login.url, { token: login.token })<{
        orgs: { id: string; name: string; role: string }[];
      }>('GET', '/api/orgs');
      if (opts.json) say(JSON.stringify(res.data.orgs, null, 2));
      else for (const org of res.data.orgs) say(`${org.id}  ${org.name}  (${org.role})`);
    });

  orgs
    .command('delete <org>')
    .description(
      'delete an organisation you own (by id): type its name, then your password or a one-time code (the stored token alone cannot)',
    )
    .option('--confirm <name>', 'the organisation’s name, typed in advance (for scripts)')
    .option('--password-stdin', 'read the password from standard input instead of asking')
    .option('--totp', 'confirm with a one-time code from your authenticator app instead of the password')
    .action(async (org: string, opts: { confirm?: string; passwordStdin?: boolean; totp?: boolean }) => {
      const login = loadLogin(env);
      const api = apiClient(login.url, { token: login.token });
      const found = (await api<{ id: string; name: string }>('GET', `/api/orgs/${encodeURIComponent(org)}`)).data;
      const confirm =
        opts.confirm ?? (await ask(`This erases ${found.name} and everything in it. Type its name to confirm: `));
      const proof = opts.totp
        ? { totpCode: (await ask('One-time code: ')).trim() }
        : { password: (await askSecret('Your password: ', opts.passwordStdin === true)).reveal() };
      const res = await api<{ status: string }>('POST', `/api/orgs/${encodeURIComponent(found.id)}/deletion`, {
        confirm,
        ...proof,
      });
      say(`Deleting ${found.name}: ${res.data.status}. \`steward orgs ls\` no longer lists it.`);
    });
}
