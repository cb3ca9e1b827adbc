// Engine: SQLite only: CLI output over the API; the provisioning stores run on both engines in provisioning-credentials (docs/testing.md).
import { DescribeInstancesCommand, DescribeRegionsCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../testkit/cli.js';
import { signUp, type SignedUp } from '../testkit/client.js';
import type { TestSteward } from '../testkit/steward.js';
import { EC2_IMAGE, startFakeClouds, startProvisioningSteward } from '../testkit/provisioning-e2e.js';
import { until } from '../testkit/wait.js';

type Clouds = Awaited<ReturnType<typeof startFakeClouds>>;

/** Test hosts a process owns, by their run folders (named steward-<owner pid>-…). */
const hostsOf = (pid: number): string[] =>
  existsSync('/run/steward-testhosts')
    ? readdirSync('/run/steward-testhosts').filter((n) => n.startsWith(`steward-${pid}-`))
    : [];

/** `steward accounts …`, `steward instances …` against a listening Steward, and `steward sandbox` itself. */
describe('provisioning from the command line', () => {
  let clouds: Clouds;
  let s: TestSteward;
  let a: SignedUp;
  let home: string;
  let env: Record<string, string>;
  const cli = (args: string[], stdin?: string) => runCli(args, env, stdin);

  beforeAll(async () => {
    clouds = await startFakeClouds();
    s = await startProvisioningSteward();
    s.core.queue.start();
    a = await signUp(s.app);
    const url = await s.app.listen({ host: '127.0.0.1', port: 0 });
    const token = (await a.client.post('/api/me/tokens', { name: 'cli test' })).body.token as string;
    home = mkdtempSync(join(tmpdir(), 'steward-cli-home-'));
    env = {
      HOME: home,
      STEWARD_URL: url,
      STEWARD_TOKEN: token,
      AWS_ACCESS_KEY_ID: clouds.ec2.accessKeyId,
      AWS_SECRET_ACCESS_KEY: clouds.ec2.secretAccessKey,
      AWS_DEFAULT_REGION: clouds.ec2.region,
      AWS_ENDPOINT_URL_EC2: clouds.ec2.url,
      ELASTICHOSTS_URL: clouds.elastic.url,
      ELASTICHOSTS_USER: clouds.elastic.user,
      ELASTICHOSTS_KEY: clouds.elastic.secretKey,
    };
  });
  afterAll(async () => {
    await s?.close();
    await clouds?.close();
    rmSync(home, { recursive: true, force: true });
  });

  let ec2: string;
  let eh: string;
  let instanceId: string;

  it('adds accounts from the environment or a secret on stdin, never from arguments', async () => {
    const fromEnv = await cli(['accounts', 'add', '--provider', 'ec2', '--from-env', '--name', 'cli ec2']);
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    ec2 = /Connected (acct_\w+)/.exec(fromEnv.stdout)![1]!;
    const ehAdd = await cli(['accounts', 'add', '--provider', 'elastichosts', '--from-env']);
    expect(ehAdd.code, ehAdd.stderr).toBe(0);
    eh = /Connected (acct_\w+)/.exec(ehAdd.stdout)![1]!;
    const stdin = await cli(
      [
        'accounts',
        'add',
        '--provider',
        'ec2',
        '--name',
        'stdin',
        '--region',
        'us-east-1',
        '--endpoint',
        clouds.ec2.url,
        '--access-key-id',
        clouds.ec2.accessKeyId,
        '--secret-stdin',
      ],
      `${clouds.ec2.secretAccessKey}\n`,
    );
    expect(stdin.code, stdin.stderr).toBe(0);
    const wrong = await cli(
      [
        'accounts',
        'add',
        '--provider',
        'ec2',
        '--name',
        'wrong',
        '--region',
        'us-east-1',
        '--endpoint',
        clouds.ec2.url,
        '--access-key-id',
        clouds.ec2.accessKeyId,
        '--secret-stdin',
      ],
      'not-the-secret\n',
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^steward: .*(credential|key)/i);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    const noTty = await cli([
      'accounts',
      'add',
      '--provider',
      'ec2',
      '--region',
      'us-east-1',
      '--access-key-id',
      'AKIAABCDEFGHIJKLMNOP',
    ]);
    expect(noTty.code).toBe(1);
    expect(noTty.stderr).toMatch(/--\*-stdin|terminal/);

    const ls = await cli(['accounts', 'ls']);
    expect(ls.stdout).toContain(ec2);
    expect(ls.stdout).toContain(eh);
    expect(ls.stdout).not.toContain(clouds.ec2.secretAccessKey);
    expect(ls.stdout.trim().split('\n')).toHaveLength(3);
  });

  it('launches, lists, stops and terminates (with confirmation) an instance', { timeout: 240_000 }, async () => {
    const launch = await cli([
      'instances',
      'launch',
      '--account',
      ec2,
      '--name',
      'cli-1',
      '--size',
      't3.micro',
      '--image',
      EC2_IMAGE,
      '--token',
      'cli-1',
    ]);
    expect(launch.code, launch.stderr).toBe(0);
    expect(launch.stdout).toMatch(/Launch cli-1: queued/);
    const l = await until(
      'launched',
      async () => {
        const v = (await a.client.get(`/api/orgs/${a.orgId}/provider-accounts/${ec2}/launches/cli-1`)).body;
        return v.instanceId ? v : undefined;
      },
      { timeoutMs: 60_000 },
    );
    instanceId = l.instanceId;
    const ls = await cli(['instances', 'ls']);
    expect(ls.stdout).toMatch(new RegExp(`${instanceId}\\s+cli-1`));

    await until(
      'running',
      async () =>
        (await cli(['instances', 'ls'])).stdout.includes(`${instanceId}  cli-1  running`) ? true : undefined,
      { timeoutMs: 30_000, everyMs: 500 },
    );
    // Two of the accounts are the same sandbox account, so the name alone is ambiguous.
    const ambiguous = await cli(['instances', 'stop', 'cli-1']);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toMatch(/2 instances match cli-1/);
    const stop = await cli(['instances', 'stop', instanceId, '--account', ec2]);
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toContain(`${instanceId}: running → stopping`);

    const unconfirmed = await cli(['instances', 'terminate', instanceId, '--account', ec2]);
    expect(unconfirmed.code).toBe(1);
    const mistaken = await cli(['instances', 'terminate', instanceId, '--account', ec2, '--confirm', 'cli-2']);
    expect(mistaken.code).toBe(1);
    expect(mistaken.stderr).toMatch(/confirm/);
    const done = await cli(['instances', 'terminate', instanceId, '--account', ec2, '--confirm', 'cli-1']);
    expect(done.code, done.stderr).toBe(0);

    const rm = await cli(['accounts', 'rm', eh]);
    expect(rm.code, rm.stderr).toBe(0);
  });

  it('`steward sandbox` prints export lines that work, and stops cleanly on SIGTERM', async () => {
    const child = spawnCli(['sandbox'], { HOME: home });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      await until('export lines', async () => (stdout.includes('export ELASTICHOSTS_KEY=') ? true : undefined), {
        timeoutMs: 300_000,
        everyMs: 100,
      });
      const vars = Object.fromEntries([...stdout.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1], m[2]]));
      for (const name of [
        'AWS_ENDPOINT_URL_EC2',
        'AWS_ACCESS_KEY_ID',
        'AWS_SECRET_ACCESS_KEY',
        'AWS_DEFAULT_REGION',
        'ELASTICHOSTS_URL',
        'ELASTICHOSTS_USER',
        'ELASTICHOSTS_KEY',
      ])
        expect(vars[name], name).toBeTruthy();
      const sdk = new EC2Client({
        region: vars.AWS_DEFAULT_REGION,
        endpoint: vars.AWS_ENDPOINT_URL_EC2,
        credentials: { accessKeyId: vars.AWS_ACCESS_KEY_ID!, secretAccessKey: vars.AWS_SECRET_ACCESS_KEY! },
      });
      expect((await sdk.send(new DescribeRegionsCommand({}))).Regions?.length).toBeGreaterThan(0);
      const eh = await fetch(`${vars.ELASTICHOSTS_URL!.replace(/\/?$/, '/')}servers/list`, {
        headers: {
          authorization: `Basic ${Buffer.from(`${vars.ELASTICHOSTS_USER}:${vars.ELASTICHOSTS_KEY}`).toString('base64')}`,
        },
      });
      expect(eh.status).toBe(200);
      // An instance is a real host of the sandbox process's own, running until the sandbox stops.
      const id = (await sdk.send(new RunInstancesCommand({ ImageId: EC2_IMAGE, MinCount: 1, MaxCount: 1 })))
        .Instances![0]!.InstanceId!;
      await until(
        'instance running',
        async () =>
          (await sdk.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0]?.State
            ?.Name === 'running'
            ? true
            : undefined,
        { timeoutMs: 60_000, everyMs: 200 },
      );
      expect(hostsOf(child.pid!).length).toBe(1);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, stderr).toBe(0);
    expect(stderr).toMatch(/stopping/);
    expect(hostsOf(child.pid!)).toEqual([]);
  }, 320_000);
});
