import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../src/kernel/clock.js';
import { signUp, TestClient, type SignedUp } from '../testkit/client.js';
import { ENGINES } from '../testkit/db.js';
import { staffMember } from './access-kit.js';
import { insertReadyServers } from '../testkit/servers.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';

const HOUR = 3_600_000;

/** The text of a PDF, as Debian's poppler-utils reads it (installed by scripts/testhosts-prereqs.sh). */
function pdfText(pdf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'steward-pdf-'));
  try {
    writeFileSync(join(dir, 'doc.pdf'), pdf);
    try {
      return execFileSync('pdftotext', ['-layout', join(dir, 'doc.pdf'), '-'], { encoding: 'utf8' });
    } catch (err) {
      throw new Error(
        `pdftotext could not read the invoice (${(err as Error).message}); install poppler-utils: bash scripts/testhosts-prereqs.sh`,
        { cause: err },
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A PDF download's bytes (the test client reads bodies as text). */
async function download(client: TestClient, url: string): Promise<{ status: number; type: unknown; pdf: Buffer }> {
  const res = await client.app.inject({
    method: 'GET',
    url,
    headers: { authorization: `Bearer ${client.auth.token}` },
  });
  return { status: res.statusCode, type: res.headers['content-type'], pdf: res.rawPayload };
}

describe.each(ENGINES)('billing: plans, usage, invoices, payments (%s)', (engine) => {
  const clock = new FakeClock(Date.UTC(2026, 1, 27, 9));
  let s: TestSteward;
  let admin: { client: TestClient; userId: string };
  let support: { client: TestClient; userId: string };
  let ada: SignedUp;
  let ben: SignedUp;
  let starter: { id: string };
  let growth: { id: string };
  let march: { id: string; number: string };

  beforeAll(async () => {
    s = await startTestSteward({ engine, clock });
    // API tokens, not sessions: the clock runs through months here, longer than any session lives.
    const tokenClient = async (c: TestClient) =>
      new TestClient(s.app, { token: (await c.post('/api/me/tokens', { name: 'billing tests' })).body.token });
    const a = await staffMember(s, ['admin']);
    admin = { client: new TestClient(s.app, { token: a.token }), userId: a.userId };
    const sp = await staffMember(s, ['support']);
    support = { client: new TestClient(s.app, { token: sp.token }), userId: sp.userId };
    const ada0 = await signUp(s.app, { name: 'Ada Lovelace', orgName: 'Analytical Engines Ltd' });
    ada = { ...ada0, client: await tokenClient(ada0.client) };
    const ben0 = await signUp(s.app, { name: 'Ben Baker', orgName: 'Bakery Servers' });
    ben = { ...ben0, client: await tokenClient(ben0.client) };
  }, 60_000);
  afterAll(() => s?.close());

  it('lets the operator define plans and tax rates, and refuses bad money', async () => {
    const plan = (body: Record<string, unknown>) => admin.client.post('/api/staff/plans', body);
    const s1 = await plan({
      code: 'starter',
      name: 'Starter',
      monthlyPrice: '29',
      includedServers: 2,
      serverHourPrice: '0.0125',
      backupGibMonthPrice: '0.10',
      supportTier: 'community',
    });
    expect(s1.status).toBe(201);
    expect(s1.body).toMatchObject({ monthlyPrice: '29.00', serverHourPrice: '0.0125', currency: 'EUR' });
    starter = s1.body;
    const g = await plan({
      code: 'growth',
      name: 'Growth',
      monthlyPrice: '99.00',
      includedServers: 10,
      serverHourPrice: '0.01',
      backupGibMonthPrice: '0.08',
      supportTier: 'priority',
    });
    expect(g.status).toBe(201);
    growth = g.body;
    // Floats, commas, too many places and duplicate codes are refused with a message that says what to fix.
    const bad = await plan({ ...g.body, code: 'x', id: undefined, monthlyPrice: '1e2' });
    expect(bad.status).toBe(400);
    const tooFine = await plan({
      code: 'fine',
      name: 'Fine',
      monthlyPrice: '1.0000001',
      includedServers: 1,
      serverHourPrice: '0',
      backupGibMonthPrice: '0',
      supportTier: 'standard',
    });
    expect(tooFine.status).toBe(400);
    expect(tooFine.body.error.message).toMatch(/decimal/);
    const again = await plan({
      code: 'starter',
      name: 'Again',
      monthlyPrice: '1',
      includedServers: 1,
      serverHourPrice: '0',
      backupGibMonthPrice: '0',
      supportTier: 'standard',
    });
    expect(again.status).toBe(409);
    // Monitoring is priced per monitored server-hour; a plan that says nothing includes it.
    expect(s1.body.monitoredServerHourPrice).toBe('0.00');
    const watchedBody = {
      code: 'watched',
      name: 'Watched',
      monthlyPrice: '5',
      includedServers: 1,
      serverHourPrice: '0',
      backupGibMonthPrice: '0',
      monitoredServerHourPrice: '0.0035',
      supportTier: 'standard',
    };
    expect((await plan({ ...watchedBody, monitoredServerHourPrice: '-0.01' })).status).toBe(400);
    const watched = await plan(watchedBody);
    expect(watched.status).toBe(201);
    expect(watched.body.monitoredServerHourPrice).toBe('0.0035');
    const listed = (await admin.client.get('/api/billing/plans')).body.plans as { code: string }[];
    expect(listed.find((p) => p.code === 'watched')).toMatchObject({ monitoredServerHourPrice: '0.0035' });
    // Customers and non-admin staff may not define plans.
    expect((await ada.client.post('/api/staff/plans', { ...s1.body })).status).toBeGreaterThanOrEqual(400);
    expect((await support.client.post('/api/staff/plans', { code: 'z', name: 'Z' })).status).toBe(400);
    expect(
      (
        await support.client.post('/api/staff/plans', {
          code: 'z',
          name: 'Z',
          monthlyPrice: '1',
          includedServers: 1,
          serverHourPrice: '0',
          backupGibMonthPrice: '0',
          supportTier: 'standard',
        })
      ).status,
    ).toBe(403);

    expect((await admin.client.put('/api/staff/tax-rates/DE', { ratePercent: '19', label: 'VAT' })).status).toBe(200);
    expect((await admin.client.put('/api/staff/tax-rates/de', { ratePercent: '19', label: 'VAT' })).status).toBe(400);
    expect((await admin.client.put('/api/staff/tax-rates/FR', { ratePercent: '120', label: 'TVA' })).status).toBe(400);
    const customerPlans = (await ada.client.get('/api/billing/plans')).body.plans;
    expect(customerPlans.map((p: { code: string }) => p.code)).toEqual(['starter', 'growth', 'watched']);
  });

  it('keeps the billing contact sealed and masks it for support staff', async () => {
    const set = await ada.client.put(`/api/orgs/${ada.orgId}/billing/profile`, {
      name: 'Ada Lovelace',
      email: 'accounts@engines.example',
      addressLines: ['12 Babbage Strasse', '10115 Berlin'],
      country: 'DE',
      taxId: 'DE123456789',
    });
    expect(set.status).toBe(200);
    expect((await ada.client.get(`/api/orgs/${ada.orgId}/billing/profile`)).body.profile).toMatchObject({
      email: 'accounts@engines.example',
      masked: [],
    });
    // Sealed: the address is nowhere in the table in clear.
    const row = await s.core.db.selectFrom('billing_profiles').selectAll().executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toMatch(/Babbage|accounts@engines/);
    const masked = (await support.client.get(`/api/staff/orgs/${ada.orgId}/billing-profile`)).body.profile;
    expect(masked.email).toBe('a•••@engines.example');
    expect(masked.addressLines.join(' ')).not.toMatch(/Babbage/);
    expect(masked.masked).toEqual(['name', 'email', 'address', 'taxId']);
    expect((await admin.client.get(`/api/staff/orgs/${ada.orgId}/billing-profile`)).body.profile.taxId).toBe(
      'DE123456789',
    );
    const reveal = await support.client.post(`/api/staff/orgs/${ada.orgId}/billing-profile/reveal`, {
      field: 'address',
      reason: 'Customer asked why the invoice went to Berlin',
    });
    expect(reveal.body.value).toBe('12 Babbage Strasse\n10115 Berlin');
    const audit = await s.core.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'personal_data.revealed')
      .execute();
    expect(audit.map((a) => a.details).join()).toMatch(/billing\.address/);
    expect(audit.map((a) => a.details).join()).not.toMatch(/Babbage/);
    // Members who are not owners may read but not change it.
    expect((await ben.client.get(`/api/orgs/${ada.orgId}/billing/profile`)).status).toBe(404);
  });

  it('invoices a month with a mid-month plan change to the cent, and the PDF says so', async () => {
    expect((await ada.client.put(`/api/orgs/${ada.orgId}/billing/plan`, { planId: starter.id })).status).toBe(200);
    expect((await ben.client.put(`/api/orgs/${ben.orgId}/billing/plan`, { planId: starter.id })).status).toBe(200);
    await insertReadyServers(s, ada.orgId, ada.userId, 5);
    await insertReadyServers(s, ben.orgId, ben.userId, 1);
    // Every hour of March 2026 (744 hours), metered as the scheduler would; on the 16th at 00:00 Ada moves to Growth.
    for (let t = Date.UTC(2026, 2, 1); t < Date.UTC(2026, 3, 1); t += HOUR) {
      clock.set(t + 90_000);
      if (t === Date.UTC(2026, 2, 16)) {
        clock.set(t);
        const move = await ada.client.put(`/api/orgs/${ada.orgId}/billing/plan`, { planId: growth.id });
        expect(move.status).toBe(200);
      }
      await s.core.billing.metering.meter();
      if (t % (24 * HOUR) === 0) await s.core.billing.metering.meter(); // a second run in the hour changes nothing
    }
    const plan = (await ada.client.get(`/api/orgs/${ada.orgId}/billing/plan`)).body;
    expect(plan.current.code).toBe('growth');
    expect(plan.history.map((h: { endsAt: string | null }) => h.endsAt)).toEqual(['2026-03-16T00:00:00.000Z', null]);

    // Not before the month ends.
    clock.set(Date.UTC(2026, 2, 31, 23));
    const early = await admin.client.post(`/api/staff/orgs/${ada.orgId}/invoices`, { period: '2026-03' });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('STEWARD_BILLING_PERIOD_OPEN');

    clock.set(Date.UTC(2026, 3, 1, 0, 30));
    expect(await s.core.billing.invoices.issueDue()).toBe(2);
    expect(await s.core.billing.invoices.issueDue()).toBe(0);
    const list = (await ada.client.get(`/api/orgs/${ada.orgId}/invoices`)).body.invoices;
    expect(list).toHaveLength(1);
    const inv = list[0];
    march = inv;
    // By hand: Starter 29.00 × 15/31 days = 14.032… → 14.03; 3 servers beyond the 2 included × 360 hours × 0.0125
    // = 13.50; Growth 99.00 × 16/31 = 51.096… → 51.10 (5 servers, 10 included: nothing extra). Subtotal 78.63;
    // VAT 19 % = 14.9397 → 14.94; total 93.57.
    expect(
      inv.lines.map((l: { description: string; quantity: string; amount: string }) => [l.quantity, l.amount]),
    ).toEqual([
      ['15 of 31 days', '14.03'],
      ['1080 server-hours', '13.50'],
      ['16 of 31 days', '51.10'],
    ]);
    expect(inv).toMatchObject({
      period: '2026-03',
      subtotal: '78.63',
      taxLabel: 'VAT',
      taxPercent: '19.00',
      taxCountry: 'DE',
      tax: '14.94',
      total: '93.57',
      balance: '93.57',
      status: 'open',
      currency: 'EUR',
      dueAt: '2026-04-15T00:30:00.000Z',
    });
    expect(inv.usage).toMatchObject({ serverHours: 3720, meteredHours: 744, backupGibMonths: '0.000' });

    const pdf = await download(ada.client, `/api/orgs/${ada.orgId}/invoices/${inv.id}/pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.type).toBe('application/pdf');
    const text = pdfText(pdf.pdf);
    expect(text).toContain(`Invoice ${inv.number}`);
    expect(text).toContain('Period: 2026-03 (2026-03-01 to 2026-03-31)');
    expect(text).toMatch(/Starter plan, 2026-03-01 to 2026-03-15\s+15 of 31 days\s+29\.00 \/ month\s+€14\.03/);
    expect(text).toMatch(/1080 server-hours\s+0\.0125 \/ server-hour\s+€13\.50/);
    expect(text).toMatch(/Growth plan, 2026-03-16 to 2026-03-31\s+16 of 31 days\s+99\.00 \/ month\s+€51\.10/);
    expect(text).toMatch(/Subtotal\s+€78\.63/);
    expect(text).toMatch(/VAT \(19\.00%, DE\)\s+€14\.94/);
    expect(text).toMatch(/Total\s+€93\.57/);
    expect(text).toContain('12 Babbage Strasse');
    // Other organisations' members cannot read it; a wrong organisation in the path is not found.
    expect((await ben.client.get(`/api/orgs/${ada.orgId}/invoices/${inv.id}`)).status).toBe(404);
    expect((await ben.client.get(`/api/orgs/${ben.orgId}/invoices/${inv.id}`)).status).toBe(404);

    // Mailed to the billing contact with the PDF, sealed in the outbox.
    const mails = await s.core.db
      .selectFrom('outbox')
      .select(['template', 'message_sealed', 'org_id'])
      .where('template', '=', 'billing.invoice_issued')
      .execute();
    expect(mails.filter((m) => m.org_id === ada.orgId)).toHaveLength(1);
    expect(mails.map((m) => m.message_sealed).join()).not.toContain('Babbage');
  });

  it('numbers invoices without gaps when several issue at once', async () => {
    const orgs: SignedUp[] = [];
    clock.set(Date.UTC(2026, 3, 2));
    for (let i = 0; i < 6; i++) {
      const o = await signUp(s.app, { orgName: `Numbering ${i}` });
      expect((await o.client.put(`/api/orgs/${o.orgId}/billing/plan`, { planId: starter.id })).status).toBe(200);
      orgs.push(o);
    }
    clock.set(Date.UTC(2026, 4, 1, 2));
    // Every organisation's April invoice, each asked for twice at the same moment (two workers).
    const issued = await Promise.all(
      orgs.flatMap((o) =>
        [0, 1].map(() =>
          s.core.billing.invoices.issueFor(o.orgId, Date.UTC(2026, 3, 1), Date.UTC(2026, 4, 1), { type: 'system' }, {}),
        ),
      ),
    );
    const numbers = new Set(issued.map((r) => r!.number));
    expect(numbers.size).toBe(6);
    const all = await s.core.db.selectFrom('billing_invoices').select('number').where('kind', '=', 'invoice').execute();
    const seq = all.map((r) => Number(r.number.slice(-6))).sort((a, b) => a - b);
    expect(seq).toEqual(seq.map((_, i) => i + 1));
  });

  it('records payments through the provider port; a failure raises a review and nothing is lost', async () => {
    const pay = (body: Record<string, unknown>) => admin.client.post(`/api/staff/invoices/${march.id}/payments`, body);
    const bounced = await pay({
      amount: '93.57',
      method: 'bank_transfer',
      reference: 'TR-1',
      failed: 'returned by the bank',
    });
    expect(bounced.status).toBe(201);
    expect(bounced.body).toMatchObject({ status: 'failed', provider: 'manual' });
    const review = await s.core.db.selectFrom('review_items').selectAll().where('org_id', '=', ada.orgId).execute();
    expect(review.map((r) => r.signal)).toEqual(['payment_failed']);
    expect((await pay({ amount: '100.00', method: 'bank_transfer', reference: 'TR-2' })).status).toBe(409);
    expect((await pay({ amount: '10.005', method: 'bank_transfer', reference: 'TR-2' })).status).toBe(400);
    expect((await pay({ amount: '93.57', method: 'card', reference: 'TR-2' })).status).toBe(400);
    expect((await pay({ amount: '93.57', method: 'bank_transfer', reference: 'TR-2' })).status).toBe(201);
    const paid = (await ada.client.get(`/api/orgs/${ada.orgId}/invoices/${march.id}`)).body;
    expect(paid).toMatchObject({ status: 'paid', balance: '0.00' });
    const payments = (await ada.client.get(`/api/orgs/${ada.orgId}/invoices/${march.id}/payments`)).body.payments;
    expect(payments.map((p: { status: string }) => p.status)).toEqual(['failed', 'succeeded']);
  });

  it('issues credit notes in their own series, never more than the invoice', async () => {
    const credit = await admin.client.post(`/api/staff/invoices/${march.id}/credit-notes`, {
      amount: '10.00',
      reason: 'Outage on 3 March',
    });
    expect(credit.status).toBe(201);
    expect(credit.body).toMatchObject({ kind: 'credit_note', subtotal: '-10.00', tax: '-1.90', total: '-11.90' });
    expect(credit.body.number).toMatch(/^CN-2026-000001$/);
    const text = pdfText((await download(ada.client, `/api/orgs/${ada.orgId}/invoices/${credit.body.id}/pdf`)).pdf);
    expect(text).toContain(`Credits invoice ${march.number}`);
    expect(text).toMatch(/Total\s+-€11\.90/);
    const over = await admin.client.post(`/api/staff/invoices/${march.id}/credit-notes`, {
      amount: '80.00',
      reason: 'Too much',
    });
    expect(over.status).toBe(409);
    expect(over.body.error.code).toBe('STEWARD_BILLING_OVER_CREDIT');
  });

  it('raises an invoice unpaid past its grace period for review, once, and deletes nothing', async () => {
    const bens = (await ben.client.get(`/api/orgs/${ben.orgId}/invoices`)).body.invoices;
    // A whole month of Starter with one server (two included); no billing profile, so no country and no tax rate.
    expect(bens[0]).toMatchObject({ status: 'open', subtotal: '29.00', tax: '0.00', total: '29.00', taxCountry: '—' });
    clock.set(Date.parse(bens[0].dueAt) + 13 * 86_400_000);
    expect(await s.core.billing.invoices.flagOverdue()).toBe(0);
    clock.set(Date.parse(bens[0].dueAt) + 15 * 86_400_000);
    expect(await s.core.billing.invoices.flagOverdue()).toBe(1);
    expect(await s.core.billing.invoices.flagOverdue()).toBe(0);
    const items = await s.core.db.selectFrom('review_items').selectAll().where('org_id', '=', ben.orgId).execute();
    expect(items.map((i) => [i.signal, i.status])).toEqual([['invoice_unpaid', 'open']]);
    expect((await ben.client.get(`/api/orgs/${ben.orgId}/invoices`)).body.invoices).toHaveLength(1);
  });
});
