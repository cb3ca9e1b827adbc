import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../src/kernel/clock.js';
import { secret } from '../src/kernel/secret.js';
import { TokenBucketLimiter } from '../src/providers/rate-limit.js';
import { getDriver } from '../src/providers/registry.js';
import type { ProviderCall } from '../src/providers/types.js';
import { startSandboxClouds, type SandboxClouds } from '../src/sandbox/clouds.js';
import { FakeInstanceHosts } from '../testkit/providers/fake-hosts.js';

describe('a caller-supplied rate limiter paces every request a driver sends', () => {
  let c: SandboxClouds;
  beforeAll(async () => {
    c = await startSandboxClouds({ hosts: new FakeInstanceHosts() });
  });
  afterAll(async () => c?.close());

  function limiter() {
    const clock = new FakeClock(0);
    const waits: number[] = [];
    const l = new TokenBucketLimiter({
      ratePerSecond: 1,
      burst: 2,
      clock,
      sleep: async (ms) => {
        waits.push(ms);
        clock.advance(ms);
      },
    });
    return { l, waits };
  }

  it('EC2: retries count against the bucket too', async () => {
    const { l, waits } = limiter();
    const driver = await getDriver('ec2', {
      region: c.ec2.region,
      endpoint: c.ec2.url,
      maxAttempts: 3,
      rateLimit: { limiter: l, key: 'org_a' },
      credentials: {
        kind: 'access-key',
        accessKeyId: c.ec2.accessKeyId,
        secretAccessKey: secret(c.ec2.secretAccessKey),
      },
    });
    c.ec2.sandbox.faults.set({ serverErrors: { count: 2, status: 503 } });
    const calls: ProviderCall[] = [];
    await driver.listLocations({ onCall: (x) => void calls.push(x) });
    expect(calls).toHaveLength(3);
    expect(waits).toEqual([1000]);
    expect(l.available('org_b')).toBe(2);
  });

  it('ElasticHosts: each request takes a token', async () => {
    const { l, waits } = limiter();
    const driver = await getDriver('elastichosts', {
      baseUrl: c.elastic.url,
      rateLimit: { limiter: l, key: 'org_a' },
      credentials: { user: c.elastic.user, secretKey: secret(c.elastic.secretKey) },
    });
    for (let i = 0; i < 4; i++) await driver.listImages();
    expect(waits).toEqual([1000, 1000]);
  });
});
