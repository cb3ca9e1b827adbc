import { FakeClock } from '../../src/kernel/clock.js';
import { secret } from '../../src/kernel/secret.js';
import type { ElasticDialect } from '../../src/providers/elastichosts/dialect.js';
import type { WireFormat } from '../../src/providers/elastichosts/wire.js';
import { getDriver } from '../../src/providers/registry.js';
import { startSandboxClouds, type SandboxClouds } from '../../src/sandbox/clouds.js';
import type { ComplianceHarness, DriverOverrides } from './compliance.js';
import { FakeInstanceHosts } from './fake-hosts.js';

const MAX_ATTEMPTS = 3;

/** A fake clock that a sleeping test moves forward (with a real pause so servers and sockets get their turn). */
function movingClock(): { clock: FakeClock; sleep: (ms: number) => Promise<void> } {
  const clock = new FakeClock(Date.now());
  return {
    clock,
    sleep: async (ms) => {
      clock.advance(ms);
      await new Promise((r) => setTimeout(r, 2));
    },
  };
}

async function clouds(
  clock: FakeClock,
  dialect?: ElasticDialect,
): Promise<{ clouds: SandboxClouds; hosts: FakeInstanceHosts }> {
  const hosts = new FakeInstanceHosts();
  const started = await startSandboxClouds({
    hosts,
    clock,
    transitionMs: 1_000,
    imagingMs: 3_000,
    ...(dialect === undefined ? {} : { elasticDialect: dialect }),
  });
  return { clouds: started, hosts };
}

/** The EC2 driver against the EC2 sandbox, with static keys or through an assumed role. */
export async function ec2Harness(auth: 'access-key' | 'assume-role'): Promise<ComplianceHarness> {
  const { clock, sleep } = movingClock();
  const { clouds: c, hosts } = await clouds(clock);
  const { url, accessKeyId, secretAccessKey, roleArn, externalId, region, sandbox } = c.ec2;
  const make = async (o: DriverOverrides = {}) => {
    const source = { accessKeyId, secretAccessKey: secret(o.secret ?? secretAccessKey) };
    return getDriver('ec2', {
      region,
      endpoint: o.endpoint ?? url,
      maxAttempts: MAX_ATTEMPTS,
      pageSize: 5,
      ...(o.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: o.requestTimeoutMs }),
      credentials:
        auth === 'access-key'
          ? { kind: 'access-key', ...source }
          : { kind: 'assume-role', source, roleArn, externalId },
    });
  };
  return {
    driver: await make(),
    makeDriver: make,
    faults: sandbox.faults,
    requestCount: () => sandbox.requests.length,
    hosts,
    launch: { sizeId: 't3.micro', imageId: 'ami-0a5a4db0c0de00001', locationId: `${region}b` },
    unknownNodeId: 'i-0123456789abcdef0',
    maxAttempts: MAX_ATTEMPTS,
    secrets: [secretAccessKey],
    clock,
    sleep,
    close: () => c.close(),
  };
}

/** The ElasticHosts driver against the ElasticStack sandbox in one dialect and body format. */
export async function elasticHarness(dialect: ElasticDialect, format: WireFormat): Promise<ComplianceHarness> {
  const { clock, sleep } = movingClock();
  const { clouds: c, hosts } = await clouds(clock, dialect);
  const { url, user, secretKey, sandbox } = c.elastic;
  const make = async (o: DriverOverrides = {}) =>
    getDriver('elastichosts', {
      baseUrl: o.endpoint ?? url,
      zone: 'sandbox-1',
      dialect,
      format,
      maxAttempts: MAX_ATTEMPTS,
      retry: { baseDelayMs: 20, throttleBaseDelayMs: 50 },
      imagingPollMs: 500,
      ...(o.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: o.requestTimeoutMs }),
      clock,
      sleep,
      credentials: { user, secretKey: secret(o.secret ?? secretKey) },
    });
  return {
    driver: await make(),
    makeDriver: make,
    faults: sandbox.faults,
    requestCount: () => sandbox.requests.length,
    hosts,
    launch: { sizeId: 'small', imageId: 'ce85ef47-9794-4ed7-a8bd-af902ec0eddc' },
    unknownNodeId: '00000000-0000-4000-8000-000000000000',
    maxAttempts: MAX_ATTEMPTS,
    secrets: [secretKey, Buffer.from(`${user}:${secretKey}`).toString('base64')],
    clock,
    sleep,
    close: () => c.close(),
  };
}
