// Engine: SQLite only: CLI output over the API; the billing stores run on both engines in billing-invoices.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../src/kernel/clock.js';
import { cliSession, type CliResult, type CliSession } from '../testkit/cli.js';
import { signUp, TestClient, type SignedUp } from '../testkit/client.js';
import { insertReadyServers } from '../testkit/servers.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';
import { staffMember } from './access-kit.js';

const HOUR = 3_600_000;
const ok = (r: CliResult): string => {
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};

/** The operator's billing from the terminal: plans, tax rates, invoices with their PDF, payments, credit notes, review. */
describe('billing from the command line', () => {
  const clock = new FakeClock(Date.UTC(2026, 4, 28, 9));
  let s: TestSteward;
  let ada: SignedUp;
  let session: CliSession;
  let home: string;
  const cli = (args: string[]) => session.run(args);

  beforeAll(async () => {
    s = await startTestSteward({ engine: 'sqlite', clock });
    const admin = await staffMember(s, ['admin', 'security']);
    session = await cliSession(s.app, admin.token);
    home = session.home;
    const ada0 = await signUp(s.app, { name: 'Ada Lovelace', orgName: 'Analytical Engines Ltd' });
    // A token: the clock runs past the session's life here.
    const token = (await ada0.client.post('/api/me/tokens', { name: 'billing cli' })).body.token as string;
    ada = { ...ada0, client: new TestClient(s.app, { token }) };
    const profile = await ada.client.put(`/api/orgs/${ada.orgId}/billing/profile`, {
      name: 'Ada Lovelace',
      email: 'accounts@engines.example',
      addressLines: ['12 Babbage Strasse', '10115 Berlin'],
      country: 'DE',
    });
    expect(profile.status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await s?.close();
    session?.close();
  });

  it('defines a plan with every price, refuses bad money, sets a tax rate and assigns the plan', async () => {
    const created = ok(
      await cli([
        'plans',
        'create',
        'watched',
        'Watched',
        '--monthly',
        '30',
        '--included',
        '1',
        '--server-hour',
        '0.01',
        '--monitored-server-hour',
        '0.0025',
        '--support',
        'standard',
      ]),
    );
    expect(created).toMatch(/^Plan Watched \(plan_\w+\) is on offer at 30\.00 EUR a month\./);
    const plans = JSON.parse(ok(await cli(['plans', 'list', '--json']))) as Record<string, unknown>[];
    expect(plans.find((p) => p.code === 'watched')).toMatchObject({
      monthlyPrice: '30.00',
      serverHourPrice: '0.01',
      monitoredServerHourPrice: '0.0025',
    });
    const human = ok(await cli(['plans', 'list']));
    expect(human).toMatch(/watched\s+Watched\s+30\.00 EUR\/month, 1 servers included, 0\.01\/extra server-hour/);
    expect(human).toContain('0.0025/monitored server-hour');

    const float = await cli([
      'plans',
      'create',
      'bad',
      'Bad',
      '--monthly',
      '1e2',
      '--included',
      '1',
      '--server-hour',
      '0',
    ]);
    expect(float.code).not.toBe(0);
    expect(float.stderr).toMatch(/decimal number/);
    const negative = await cli([
      'plans',
      'create',
      'bad',
      'Bad',
      '--monthly',
      '1',
      '--included',
      '-1',
      '--server-hour',
      '0',
    ]);
    expect(negative.code).not.toBe(0);
    expect(negative.stderr).toMatch(/--included must be a whole number/);
    expect((JSON.parse(ok(await cli(['plans', 'list', '--json']))) as { code: string }[]).map((p) => p.code)).toEqual([
      'watched',
    ]);

    expect(ok(await cli(['tax-rate', 'DE', '19', 'VAT']))).toMatch(/VAT 19% for DE/);
    const planId = plans.find((p) => p.code === 'watched')!.id as string;
    clock.set(Date.UTC(2026, 4, 31, 12)); // the plan starts before June
    expect(ok(await cli(['plans', 'assign', ada.orgId, planId]))).toMatch(/is on Watched since/);
  });

  it('issues a month’s invoice to the cent, writes its PDF, records a payment and a credit note', async () => {
    await insertReadyServers(s, ada.orgId, ada.userId, 2);
    // 48 metered hours in June 2026 (720 hours): the metering runs hourly as the scheduler would.
    for (let t = Date.UTC(2026, 5, 1); t < Date.UTC(2026, 5, 3); t += HOUR) {
      clock.set(t + 60_000);
      await s.core.billing.metering.meter();
    }
    clock.set(Date.UTC(2026, 6, 1, 1));
    const issued = ok(await cli(['invoices', 'issue', ada.orgId, '2026-06']));
    // By hand: 30.00 for the whole month; 1 server beyond the 1 included × 48 hours × 0.01 = 0.48; no monitoring
    // (none switched on). Subtotal 30.48; VAT 19 % = 5.7912 → 5.79; total 36.27.
    expect(issued).toMatch(/^INV-\S+: 36\.27 EUR, due 2026-07-15 \((bill_\w+)\)\./);
    const invoiceId = /\((bill_\w+)\)/.exec(issued)![1]!;
    expect(ok(await cli(['invoices', 'issue', ada.orgId, '2026-06']))).toBe(issued); // asking twice: the same one
    const listed = JSON.parse(ok(await cli(['invoices', 'list', '--json']))) as Record<string, unknown>[];
    expect(listed).toEqual([expect.objectContaining({ id: invoiceId, total: '36.27', status: 'open' })]);

    const file = join(home, 'june.pdf');
    expect(ok(await cli(['invoices', 'pdf', invoiceId, file]))).toBe(`Wrote ${file}.\n`);
    expect(readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');

    expect(ok(await cli(['payment', invoiceId, '20.00', '--reference', 'SEPA-123']))).toMatch(/recorded: succeeded/);
    expect(ok(await cli(['invoices', 'credit', invoiceId, 'Goodwill', '--amount', '1.00']))).toMatch(/: -?1\.19 EUR\./);
    const after = JSON.parse(ok(await cli(['invoices', 'list', '--json']))) as { id: string; balance: string }[];
    expect(after.find((i) => i.id === invoiceId)?.balance).toBe('15.08'); // 36.27 − 20.00 − 1.19
    const missing = await cli(['invoices', 'pdf', 'bill_00000000000000000000000000']);
    expect(missing.code).not.toBe(0);
  });

  it('suspends an organisation with a reason and reinstates it; the review queue shows the failed payment', async () => {
    const invoiceId = (JSON.parse(ok(await cli(['invoices', 'list', '--json']))) as { id: string }[])[0]!.id;
    expect(ok(await cli(['payment', invoiceId, '5.00', '--failed', 'card declined']))).toMatch(/recorded: failed/);
    const items = JSON.parse(ok(await cli(['review', 'list', '--json']))) as { id: string; orgId: string }[];
    const item = items.find((i) => i.orgId === ada.orgId);
    expect(item).toBeDefined();
    expect(ok(await cli(['suspend', ada.orgId, 'Payment failed twice', '--review-item', item!.id]))).toMatch(
      /^Suspended /,
    );
    const standing = await ada.client.get(`/api/orgs/${ada.orgId}/standing`);
    expect(JSON.stringify(standing.body)).toContain('Payment failed twice');
    expect(ok(await cli(['reinstate', ada.orgId, 'Paid by transfer']))).toMatch(/Reinstated|reinstated/);
    expect(ok(await cli(['review', 'list']))).not.toContain(item!.id);
  });
});
