import type { Command } from 'commander';
import { sleep } from '../../kernel/clock.js';
import { AppError } from '../../kernel/errors.js';
import { apiClient, loadLogin } from '../client.js';
import { say } from '../output.js';
import { ask, askSecret } from '../prompt.js';
import type { Env } from '../runtime.js';

interface Account {
  id: string;
  provider: string;
  name: string;
  region: string;
  auth: string;
  hint: string;
  externalAccount: string;
  lastSyncError: string | null;
}
interface Instance {
  accountId: string;
  accountName: string;
  id: string;
  name: string;
  state: string;
  publicIp: string | null;
  server: { id: string; status: string } | null;
  live: boolean;
}
interface Listing {
  accountId: string;
  name: string;
  ok: boolean;
  error: { code: string; message: string } | null;
}
interface Launch {
  accountId: string;
  token: string;
  name: string;
  stage: string;
  instanceId: string | null;
  address: string | null;
  serverId: string | null;
  jobId: string;
  error: { code: string; message: string } | null;
}

const usage = (message: string) => new AppError('STEWARD_INVALID_INPUT', message);

/** The stored login and the organisation to act in: --org, else STEWARD_ORG, else the only one you belong to. */
async function session(env: Env, org: string | undefined) {
  const login = loadLogin(env);
  const call = apiClient(login.url, { token: login.token });
  let orgId = org ?? env.STEWARD_ORG;
  if (!orgId) {
    const orgs = (await call<{ orgs: { id: string; name: string }[] }>('GET', '/api/orgs')).data.orgs;
    if (orgs.length !== 1)
      throw usage(
        `You belong to ${orgs.length} organisations; say which with --org (one of: ${orgs.map((o) => o.id).join(', ')}).`,
      );
    orgId = orgs[0]!.id;
  }
  return { call, base: `/api/orgs/${orgId}` };
}

type Session = Awaited<ReturnType<typeof session>>;

/** Finds an instance by provider id (or unique name) across accounts, unless the account is given. */
async function locate(
  s: Session,
  instance: string,
  account: string | undefined,
): Promise<{ accountId: string; id: string; name: string }> {
  if (account) return { accountId: account, id: instance, name: '' };
  const { instances } = (await s.call<{ instances: Instance[] }>('GET', `${s.base}/instances`)).data;
  const matches = instances.filter((i) => i.id === instance || i.name === instance);
  if (matches.length === 0)
    throw new AppError('STEWARD_NOT_FOUND', `No instance ${instance} in your accounts (see \`steward instances ls\`).`);
  if (matches.length > 1)
    throw usage(`${matches.length} instances match ${instance}; give the instance id, or the account with --account.`);
  return { accountId: matches[0]!.accountId, id: matches[0]!.id, name: matches[0]!.name };
}

const orgOption = (cmd: Command) =>
  cmd.option('--org <orgId>', 'the organisation (default: STEWARD_ORG, or your only one)');

function registerAccounts(program: Command, env: Env): void {
  const accounts = program.command('accounts').description('cloud provider accounts (AWS, ElasticHosts)');

  orgOption(accounts.command('add'))
    .description(
      'connect an account; Steward checks the credentials with the provider, then seals them. Secrets are asked for, read from stdin (--secret-stdin) or, with --from-env, from AWS_*/ELASTICHOSTS_* variables; never from arguments',
    )
    .requiredOption('--provider <provider>', 'ec2 or elastichosts')
    .option('--name <name>', 'a name for the account')
    .option('--region <region>', 'EC2 region (or AWS_DEFAULT_REGION with --from-env)')
    .option('--endpoint <url>', 'EC2 endpoint, for the sandbox')
    .option('--access-key-id <id>', 'EC2 access key id')
    .option('--role-arn <arn>', 'EC2: a role to assume (external id: your organisation id) instead of keys')
    .option('--zone <zone>', 'ElasticHosts zone, such as lon-p')
    .option('--base-url <url>', 'ElasticHosts API base URL')
    .option('--user <uuid>', 'ElasticHosts user UUID')
    .option('--dialect <dialect>', 'ElasticHosts API dialect: 2.0, 1.0 or cloudsigma-1.0')
    .option('--secret-stdin', 'read the secret (AWS secret access key or ElasticHosts key) from standard input')
    .option(
      '--from-env',
      'take everything from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION, AWS_ENDPOINT_URL_EC2 or ELASTICHOSTS_URL, ELASTICHOSTS_USER, ELASTICHOSTS_KEY (as `steward sandbox` prints them)',
    )
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const s = await session(env, o.org as string | undefined);
      const fromEnv = o.fromEnv === true;
      const pick = (flag: unknown, variable: string): string | undefined =>
        (flag as string | undefined) ?? (fromEnv ? env[variable] || undefined : undefined);
      let body: Record<string, unknown>;
      if (o.provider === 'ec2') {
        const roleArn = o.roleArn as string | undefined;
        const accessKeyId = roleArn
          ? undefined
          : (pick(o.accessKeyId, 'AWS_ACCESS_KEY_ID') ?? (await ask('AWS access key id: ')));
        const secret = roleArn
          ? undefined
          : fromEnv && env.AWS_SECRET_ACCESS_KEY
            ? env.AWS_SECRET_ACCESS_KEY
            : (await askSecret('AWS secret access key: ', o.secretStdin === true)).reveal();
        body = {
          provider: 'ec2',
          region: pick(o.region, 'AWS_DEFAULT_REGION') ?? env.AWS_REGION,
          endpoint: pick(o.endpoint, 'AWS_ENDPOINT_URL_EC2'),
          accessKeyId,
          secretAccessKey: secret,
          roleArn,
        };
      } else if (o.provider === 'elastichosts') {
        const secret =
          fromEnv && env.ELASTICHOSTS_KEY
            ? env.ELASTICHOSTS_KEY
            : (await askSecret('ElasticHosts secret API key: ', o.secretStdin === true)).reveal();
        body = {
          provider: 'elastichosts',
          zone: o.zone,
          baseUrl: pick(o.baseUrl, 'ELASTICHOSTS_URL'),
          user: pick(o.user, 'ELASTICHOSTS_USER'),
          secretKey: secret,
          dialect: o.dialect,
        };
      } else {
        throw usage('--provider must be ec2 or elastichosts.');
      }
      body.name = (o.name as string | undefined) ?? `${o.provider} ${String(body.region ?? body.zone ?? 'account')}`;
      const clean = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
      const created = (await s.call<Account>('POST', `${s.base}/provider-accounts`, clean)).data;
      say(
        `Connected ${created.id}  ${created.name}  (${created.provider} ${created.region}, account ${created.externalAccount}, key ${created.hint})`,
      );
    });

  orgOption(accounts.command('ls'))
    .description('list connected accounts')
    .option('--json', 'print JSON')
    .action(async (o: { org?: string; json?: boolean }) => {
      const s = await session(env, o.org);
      const list = (await s.call<{ accounts: Account[] }>('GET', `${s.base}/provider-accounts`)).data.accounts;
      if (o.json) return say(JSON.stringify(list, null, 2));
      if (list.length === 0) say('No accounts yet: `steward accounts add --provider ec2` connects one.');
      for (const a of list)
        say(
          `${a.id}  ${a.name}  ${a.provider} ${a.region}  ${a.auth} ${a.hint}${a.lastSyncError ? `  (last sync failed: ${a.lastSyncError})` : ''}`,
        );
    });

  orgOption(accounts.command('rm'))
    .description('remove an account and its sealed credentials (refused while it has servers, unless --force)')
    .argument('<accountId>')
    .option('--force', 'remove it even though servers came from it (they stay as plain SSH servers)')
    .action(async (accountId: string, o: { org?: string; force?: boolean }) => {
      const s = await session(env, o.org);
      const removed = (
        await s.call<Account>(
          'DELETE',
          `${s.base}/provider-accounts/${encodeURIComponent(accountId)}?force=${o.force === true}`,
        )
      ).data;
      say(`Removed ${removed.id} (${removed.name}).`);
    });
}

async function followLaunch(s: Session, launch: Launch): Promise<Launch> {
  let last = '';
  for (;;) {
    const line = `${launch.stage}${launch.instanceId ? ` ${launch.instanceId}` : ''}${launch.address ? ` at ${launch.address}` : ''}`;
    if (line !== last) process.stderr.write(`  ${line}\n`);
    last = line;
    if (launch.stage === 'ready') return launch;
    if (launch.stage === 'failed')
      throw new AppError(
        'STEWARD_PROVIDER_REQUEST_REJECTED',
        `The launch failed: ${launch.error?.message ?? 'no reason given'}`,
      );
    await sleep(1000);
    launch = (
      await s.call<Launch>(
        'GET',
        `${s.base}/provider-accounts/${launch.accountId}/launches/${encodeURIComponent(launch.token)}`,
      )
    ).data;
  }
}

function registerInstances(program: Command, env: Env): void {
  const instances = program.command('instances').description('instances in your provider accounts');

  orgOption(instances.command('ls'))
    .description('list every instance in every account')
    .option('--json', 'print JSON')
    .action(async (o: { org?: string; json?: boolean }) => {
      const s = await session(env, o.org);
      const { instances: list, accounts } = (
        await s.call<{ instances: Instance[]; accounts: Listing[] }>('GET', `${s.base}/instances`)
      ).data;
      if (o.json) return say(JSON.stringify({ instances: list, accounts }, null, 2));
      for (const i of list)
        say(
          `${i.id}  ${i.name || '-'}  ${i.state}  ${i.publicIp ?? '-'}  ${i.accountName}${i.server ? `  server ${i.server.id} (${i.server.status})` : ''}${i.live ? '' : '  (last known)'}`,
        );
      for (const a of accounts.filter((x) => !x.ok))
        process.stderr.write(`steward: ${a.name} could not be read: ${a.error?.message ?? 'unknown error'}\n`);
    });

  orgOption(instances.command('launch'))
    .description('launch an instance with the organisation’s SSH key; it joins your servers when it runs')
    .requiredOption('--account <accountId>', 'the provider account')
    .requiredOption('--name <name>', 'instance and server name')
    .requiredOption('--size <size>', 'EC2 instance type or ElasticHosts size')
    .requiredOption('--image <image>', 'EC2 AMI id or ElasticHosts drive UUID')
    .option('--location <location>', 'availability zone or zone')
    .option('--ssh-user <user>', 'the user the image lets the key log in as', 'root')
    .option('--token <token>', 'idempotency token: repeating the command with it returns the same launch')
    .option('--wait', 'follow the launch until the server is ready')
    .action(
      async (o: {
        org?: string;
        account: string;
        name: string;
        size: string;
        image: string;
        location?: string;
        sshUser: string;
        token?: string;
        wait?: boolean;
      }) => {
        const s = await session(env, o.org);
        const body = {
          name: o.name,
          sizeId: o.size,
          imageId: o.image,
          locationId: o.location,
          sshUser: o.sshUser,
          token: o.token,
        };
        let launch = (
          await s.call<Launch>('POST', `${s.base}/provider-accounts/${encodeURIComponent(o.account)}/instances`, body)
        ).data;
        say(`Launch ${launch.token}: ${launch.stage} (job ${launch.jobId})`);
        if (o.wait) {
          launch = await followLaunch(s, launch);
          say(`Ready: instance ${launch.instanceId} at ${launch.address}, server ${launch.serverId}`);
        }
      },
    );

  for (const action of ['start', 'stop', 'reboot'] as const) {
    orgOption(instances.command(action))
      .description(`${action} an instance`)
      .argument('<instance>', 'instance id (or its unique name)')
      .option('--account <accountId>', 'the provider account (found by listing when left out)')
      .action(async (instance: string, o: { org?: string; account?: string }) => {
        const s = await session(env, o.org);
        const where = await locate(s, instance, o.account);
        const change = (
          await s.call<{ previous: string | null; current: string }>(
            'POST',
            `${s.base}/provider-accounts/${where.accountId}/instances/${encodeURIComponent(where.id)}/${action}`,
            {},
          )
        ).data;
        say(`${where.id}: ${change.previous ?? '?'} → ${change.current}`);
      });
  }

  orgOption(instances.command('terminate'))
    .description('terminate an instance (irreversible; you confirm by typing its name or id)')
    .argument('<instance>', 'instance id (or its unique name)')
    .option('--account <accountId>', 'the provider account (found by listing when left out)')
    .option('--confirm <nameOrId>', 'confirm without a prompt, for scripts')
    .action(async (instance: string, o: { org?: string; account?: string; confirm?: string }) => {
      const s = await session(env, o.org);
      const where = await locate(s, instance, o.account);
      const confirm =
        o.confirm ??
        (await ask(`Terminating destroys ${where.name || where.id} and its disks. Type its name or id to confirm: `));
      const change = (
        await s.call<{ current: string }>(
          'POST',
          `${s.base}/provider-accounts/${where.accountId}/instances/${encodeURIComponent(where.id)}/terminate`,
          { confirm },
        )
      ).data;
      say(`${where.id}: ${change.current}`);
    });

  orgOption(instances.command('import'))
    .description('add an existing instance to your servers (it must accept the organisation’s SSH key)')
    .argument('<instance>', 'instance id (or its unique name)')
    .option('--account <accountId>', 'the provider account (found by listing when left out)')
    .option('--name <name>', 'server name (default: the instance name)')
    .option('--ssh-user <user>', 'the user to log in as', 'root')
    .option('--trust-first-contact', 'accept the host key presented at first contact (when the provider reports none)')
    .action(
      async (
        instance: string,
        o: { org?: string; account?: string; name?: string; sshUser: string; trustFirstContact?: boolean },
      ) => {
        const s = await session(env, o.org);
        const where = await locate(s, instance, o.account);
        const server = (
          await s.call<{ id: string; status: string }>(
            'POST',
            `${s.base}/provider-accounts/${where.accountId}/instances/${encodeURIComponent(where.id)}/import`,
            { name: o.name, sshUser: o.sshUser, trustFirstContact: o.trustFirstContact },
          )
        ).data;
        say(`Imported ${where.id} as server ${server.id} (${server.status}).`);
      },
    );
}

/** `steward accounts …` and `steward instances …`: remote commands over the HTTP API with the stored token. */
export function registerProvisioningCommands(program: Command, env: Env): void {
  registerAccounts(program, env);
  registerInstances(program, env);
}
