// Engine: SQLite only: per-organisation retries and pacing in the provider drivers, no store behaviour (docs/testing.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type SignedUp } from '../testkit/client.js';
import type { TestSteward } from '../testkit/steward.js';
import { connect, ec2Account, startFakeClouds, startProvisioningSteward } from '../testkit/provisioning-e2e.js';

type Clouds = Awaited<ReturnType<typeof startFakeClouds>>;

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

/**
 * docs/decisions/0007-provisioning.md: organisation A's provider throttles everything it sends, and A keeps asking. Organisation B's
 * provider calls (on its own account) must not slow down noticeably: retries and pacing are per organisation.
 */
describe('one throttled organisation does not slow another', () => {
  let cloudsA: Clouds;
  let cloudsB: Clouds;
  let s: TestSteward;
  let a: SignedUp;
  let b: SignedUp;

  beforeAll(async () => {
    cloudsA = await startFakeClouds();
    cloudsB = await startFakeClouds();
    s = await startProvisioningSteward();
    a = await signUp(s.app);
    b = await signUp(s.app);
    await connect(a, ec2Account(cloudsA));
    await connect(b, ec2Account(cloudsB));
  });
  afterAll(async () => {
    await s?.close();
    await cloudsA?.close();
    await cloudsB?.close();
  });

  async function measureB(n: number): Promise<number[]> {
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const res = await b.client.get(`/api/orgs/${b.orgId}/instances`);
      times.push(performance.now() - t0);
      expect(res.body.accounts[0].ok).toBe(true);
    }
    return times;
  }

  it('B’s listing latency under A’s throttling storm stays within a generous bound of its baseline', async () => {
    await measureB(5); // warm-up: the SDK and code paths load once
    const baseline = await measureB(40);

    // 1. A's provider now throttles every request; A keeps listing from six loops at once.
    cloudsA.ec2.sandbox.faults.set({ throttle: { count: 1_000_000 } });
    let stop = false;
    let aCalls = 0;
    let aFailures = 0;
    const hammer = async () => {
      while (!stop) {
        const res = await a.client.get(`/api/orgs/${a.orgId}/instances`);
        aCalls++;
        if (!res.body.accounts[0].ok) aFailures++;
      }
    };
    const loops = Array.from({ length: 6 }, hammer);
    await new Promise((r) => setTimeout(r, 500));
    const loaded = await measureB(40);
    stop = true;
    await Promise.all(loops);
    cloudsA.ec2.sandbox.faults.reset();

    const report = {
      baselineP50: +percentile(baseline, 50).toFixed(1),
      baselineP95: +percentile(baseline, 95).toFixed(1),
      loadedP50: +percentile(loaded, 50).toFixed(1),
      loadedP95: +percentile(loaded, 95).toFixed(1),
      ratioP50: +(percentile(loaded, 50) / percentile(baseline, 50)).toFixed(2),
      ratioP95: +(percentile(loaded, 95) / percentile(baseline, 95)).toFixed(2),
      throttledAnswersToA: cloudsA.ec2.sandbox.faults.injected.throttle,
      aListings: aCalls,
      aListingsFailed: aFailures,
    };
    console.log('fairness (ms):', report);
    expect(report.throttledAnswersToA).toBeGreaterThan(20);
    expect(aFailures).toBeGreaterThan(0);
    // Generous: the two organisations share one process and one event loop, so some slowdown is expected;
    // what must not happen is B waiting behind A's retries and backoff (seconds per call).
    expect(report.ratioP50).toBeLessThan(3);
    expect(percentile(loaded, 95)).toBeLessThan(Math.max(4 * percentile(baseline, 95), 250));
  });
});
