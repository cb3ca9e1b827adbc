import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxClouds, type SandboxClouds } from '../src/sandbox/clouds.js';
import { FakeInstanceHosts } from '../testkit/providers/fake-hosts.js';
import { ed25519PublicKey } from '../testkit/providers/ssh-keys.js';

const run = promisify(execFile);

function findAws(): string {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir, 'aws');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  throw new Error(
    'The AWS CLI (`aws`) is not on PATH. Install it (Debian: `apt-get install -y awscli`) to run the sandbox CLI test.',
  );
}

describe('EC2 sandbox through the AWS CLI', () => {
  let c: SandboxClouds;
  let aws: string;
  let dir: string;
  const hosts = new FakeInstanceHosts();

  // Credentials travel in the environment, never in argv; config files point at an empty folder.
  const cli = async (...args: string[]): Promise<Record<string, unknown>> => {
    const { stdout } = await run(aws, [...args, '--endpoint-url', c.ec2.url, '--output', 'json'], {
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? dir,
        AWS_ACCESS_KEY_ID: c.ec2.accessKeyId,
        AWS_SECRET_ACCESS_KEY: c.ec2.secretAccessKey,
        AWS_DEFAULT_REGION: c.ec2.region,
        AWS_CONFIG_FILE: join(dir, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_PAGER: '',
      },
      timeout: 60_000,
    });
    return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
  };

  beforeAll(async () => {
    aws = findAws();
    dir = mkdtempSync(join(tmpdir(), 'steward-aws-cli-'));
    c = await startSandboxClouds({ hosts, transitionMs: 50 });
  });
  afterAll(async () => {
    await c?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('works unchanged: identity, key import, launch with a client token, paged listing, terminate', async () => {
    expect(await cli('sts', 'get-caller-identity')).toMatchObject({ Account: c.ec2.accountId });
    const key = ed25519PublicKey();
    writeFileSync(join(dir, 'key.pub'), key.publicKey);
    const imported = await cli(
      'ec2',
      'import-key-pair',
      '--key-name',
      'cli-key',
      '--public-key-material',
      `fileb://${join(dir, 'key.pub')}`,
    );
    expect(imported).toMatchObject({ KeyName: 'cli-key' });
    const images = await cli(
      'ec2',
      'describe-images',
      '--owners',
      'amazon',
      '--filters',
      'Name=name,Values=sandbox-debian-12-*',
    );
    expect((images['Images'] as unknown[]).length).toBe(2);
    const launch = [
      'ec2',
      'run-instances',
      '--image-id',
      'ami-0a5a4db0c0de00001',
      '--instance-type',
      't3.micro',
      '--count',
      '6',
      '--key-name',
      'cli-key',
      '--client-token',
      'cli-1',
    ];
    const first = (await cli(...launch)) as { ReservationId: string; Instances: { InstanceId: string }[] };
    const again = (await cli(...launch)) as { ReservationId: string };
    expect(again.ReservationId).toBe(first.ReservationId);
    expect(first.Instances).toHaveLength(6);
    await new Promise((r) => setTimeout(r, 100));
    // --page-size makes the CLI send MaxResults and follow NextToken itself.
    const listed = (await cli(
      'ec2',
      'describe-instances',
      '--page-size',
      '5',
      '--filters',
      'Name=instance-state-name,Values=running',
    )) as { Reservations: { Instances: { InstanceId: string; PublicIpAddress?: string }[] }[] };
    const instances = listed.Reservations.flatMap((r) => r.Instances);
    expect(instances.map((i) => i.InstanceId).sort()).toEqual(first.Instances.map((i) => i.InstanceId).sort());
    expect(instances.every((i) => i.PublicIpAddress !== undefined)).toBe(true);
    expect(hosts.records.get(first.Instances[0]?.InstanceId ?? '')?.authorizedKeys).toEqual([
      key.publicKey.split(' ').slice(0, 2).join(' '),
    ]);
    const ended = (await cli('ec2', 'terminate-instances', '--instance-ids', first.Instances[0]?.InstanceId ?? '')) as {
      TerminatingInstances: { CurrentState: { Name: string } }[];
    };
    expect(ended.TerminatingInstances[0]?.CurrentState.Name).toBe('shutting-down');
  });

  it('shows EC2 errors as the CLI reports them', async () => {
    await expect(cli('ec2', 'describe-instances', '--instance-ids', 'i-0123456789abcdef0')).rejects.toMatchObject({
      stderr: expect.stringContaining('(InvalidInstanceID.NotFound)'),
    });
  });
});
