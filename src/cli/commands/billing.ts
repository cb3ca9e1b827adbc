import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../../kernel/errors.js';
import { apiClient, loadLogin } from '../client.js';
import { say } from '../output.js';
import type { Env } from '../runtime.js';

interface Plan {
  id: string;
  code: string;
  name: string;
  currency: string;
  monthlyPrice: string;
  includedServers: number;
  serverHourPrice: string;
  backupGibMonthPrice: string;
  monitoredServerHourPrice: string;
  supportTier: string;
  active: boolean;
}
interface Invoice {
  id: string;
  orgId: string;
  orgName?: string;
  number: string;
  kind: string;
  period: string;
  currency: string;
  total: string;
  balance: string;
  status: string;
  dueAt: string;
}
interface ReviewItem {
  id: string;
  orgId: string;
  orgName: string;
  signal: string;
  summary: string;
  status: string;
  openedAt: string;
  suspended: boolean;
}

const json = (v: unknown) => say(JSON.stringify(v, null, 2));

/**
 * What an operator scripts about billing and abuse, over the API with a staff token: plans, tax rates, invoices
 * (issue, list, PDF, credit notes), payments, the review queue, suspending and reinstating organisations.
 */
export function registerBillingCommands(program: Command, env: Env): void {
  const client = () => {
    const login = loadLogin(env);
    return { call: apiClient(login.url, { token: login.token }), login };
  };

  const plans = program.command('plans').description('plans the operator offers (staff)');
  plans
    .command('list')
    .description('every plan, with prices and whether it is on offer')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { data } = await client().call<{ plans: Plan[] }>('GET', '/api/billing/plans');
      if (opts.json) return json(data.plans);
      for (const p of data.plans)
        say(
          `${p.id}  ${p.code.padEnd(12)} ${p.name.padEnd(16)} ${p.monthlyPrice} ${p.currency}/month, ${p.includedServers} servers included, ${p.serverHourPrice}/extra server-hour, ${p.backupGibMonthPrice}/GiB-month, ${p.monitoredServerHourPrice}/monitored server-hour, ${p.supportTier}${p.active ? '' : ' (withdrawn)'}`,
        );
    });
  plans
    .command('create <code> <name>')
    .description('define a plan (admin); prices are decimals such as 29.00 or 0.0125 and never change afterwards')
    .requiredOption('--monthly <price>', 'monthly price')
    .requiredOption('--included <servers>', 'servers included')
    .requiredOption('--server-hour <price>', 'price per extra server-hour')
    .option('--backup-gib-month <price>', 'price per GiB-month of backup storage', '0')
    .option('--monitored-server-hour <price>', 'price per hour of a server with monitoring on', '0')
    .option('--support <tier>', 'community, standard or priority', 'standard')
    .action(
      async (
        code: string,
        name: string,
        o: {
          monthly: string;
          included: string;
          serverHour: string;
          backupGibMonth: string;
          monitoredServerHour: string;
          support: string;
        },
      ) => {
        const included = Number(o.included);
        if (!Number.isInteger(included) || included < 0)
          throw new AppError('STEWARD_INVALID_INPUT', '--included must be a whole number of servers.');
        const { data } = await client().call<Plan>('POST', '/api/staff/plans', {
          code,
          name,
          monthlyPrice: o.monthly,
          includedServers: included,
          serverHourPrice: o.serverHour,
          backupGibMonthPrice: o.backupGibMonth,
          monitoredServerHourPrice: o.monitoredServerHour,
          supportTier: o.support,
        });
        say(`Plan ${data.name} (${data.id}) is on offer at ${data.monthlyPrice} ${data.currency} a month.`);
      },
    );
  plans
    .command('withdraw <planId>')
    .description('take a plan off offer (organisations on it keep it)')
    .action(async (planId: string) => {
      await client().call('PATCH', `/api/staff/plans/${planId}`, { active: false });
      say(`Plan ${planId} is no longer on offer.`);
    });
  plans
    .command('assign <orgId> <planId>')
    .description('move an organisation to a plan now (the month’s invoice prorates)')
    .action(async (orgId: string, planId: string) => {
      const { data } = await client().call<{ plan: Plan; since: string }>('PUT', `/api/staff/orgs/${orgId}/plan`, {
        planId,
      });
      say(`${orgId} is on ${data.plan.name} since ${data.since}.`);
    });

  program
    .command('tax-rate <country> <percent> <label>')
    .description('set the tax rate of a country (ISO code such as DE, or * for every other country)')
    .action(async (country: string, percent: string, label: string) => {
      await client().call('PUT', `/api/staff/tax-rates/${encodeURIComponent(country)}`, {
        ratePercent: percent,
        label,
      });
      say(`${label} ${percent}% for ${country}.`);
    });

  const invoices = program.command('invoices').description('invoices and credit notes (staff)');
  invoices
    .command('list')
    .description('invoices of every organisation, newest first')
    .option('--status <status>', 'open, paid, credited or void')
    .option('--limit <n>', 'how many', '100')
    .option('--json', 'print JSON')
    .action(async (opts: { status?: string; limit: string; json?: boolean }) => {
      const q = new URLSearchParams({ limit: opts.limit, ...(opts.status ? { status: opts.status } : {}) });
      const { data } = await client().call<{ invoices: Invoice[] }>('GET', `/api/staff/invoices?${q}`);
      if (opts.json) return json(data.invoices);
      for (const i of data.invoices)
        say(
          `${i.number.padEnd(18)} ${i.period}  ${(i.orgName ?? i.orgId).padEnd(24)} ${i.total.padStart(12)} ${i.currency}  owed ${i.balance.padStart(10)}  ${i.status}  due ${i.dueAt.slice(0, 10)}  ${i.id}`,
        );
    });
  invoices
    .command('issue <orgId> <month>')
    .description('issue an organisation’s invoice for a finished month (YYYY-MM); asking twice gives the same one')
    .action(async (orgId: string, month: string) => {
      const { data } = await client().call<Invoice>('POST', `/api/staff/orgs/${orgId}/invoices`, { period: month });
      say(`${data.number}: ${data.total} ${data.currency}, due ${data.dueAt.slice(0, 10)} (${data.id}).`);
    });
  invoices
    .command('pdf <invoiceId> [file]')
    .description('download an invoice as PDF (default: <number>.pdf)')
    .action(async (invoiceId: string, file: string | undefined) => {
      const { login } = client();
      const res = await fetch(`${login.url.replace(/\/+$/, '')}/api/staff/invoices/${invoiceId}/pdf`, {
        headers: { authorization: `Bearer ${login.token}` },
      });
      if (!res.ok) {
        const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
        throw new AppError('STEWARD_NOT_FOUND', body.error?.message ?? `Steward answered ${res.status}.`);
      }
      const name =
        file ?? /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'invoice.pdf';
      writeFileSync(name, Buffer.from(await res.arrayBuffer()));
      say(`Wrote ${name}.`);
    });
  invoices
    .command('credit <invoiceId> <reason>')
    .description('issue a credit note: the whole invoice, or --amount (net, the invoice’s tax rate added)')
    .option('--amount <amount>', 'net amount to credit')
    .action(async (invoiceId: string, reason: string, o: { amount?: string }) => {
      const { data } = await client().call<Invoice>('POST', `/api/staff/invoices/${invoiceId}/credit-notes`, {
        reason,
        ...(o.amount ? { amount: o.amount } : {}),
      });
      say(`${data.number}: ${data.total} ${data.currency}.`);
    });

  program
    .command('payment <invoiceId> <amount>')
    .description(
      'record a payment against an invoice (admin): a bank transfer that arrived, or with --failed one that bounced',
    )
    .option('--method <method>', 'bank_transfer or manual', 'bank_transfer')
    .option('--reference <ref>', 'the transfer reference')
    .option('--failed <reason>', 'the payment failed (raises the organisation for review)')
    .action(async (invoiceId: string, amount: string, o: { method: string; reference?: string; failed?: string }) => {
      const { data } = await client().call<{ status: string; id: string }>(
        'POST',
        `/api/staff/invoices/${invoiceId}/payments`,
        { amount, method: o.method, reference: o.reference ?? null, ...(o.failed ? { failed: o.failed } : {}) },
      );
      say(`Payment ${data.id} recorded: ${data.status}.`);
    });

  const review = program.command('review').description('the fraud and abuse review queue (security, admin)');
  review
    .command('list')
    .description('organisations raised for review')
    .option('--status <status>', 'open, dismissed or suspended', 'open')
    .option('--json', 'print JSON')
    .action(async (opts: { status: string; json?: boolean }) => {
      const { data } = await client().call<{ items: ReviewItem[] }>('GET', `/api/staff/review?status=${opts.status}`);
      if (opts.json) return json(data.items);
      if (data.items.length === 0) return say('Nothing to review.');
      for (const i of data.items)
        say(
          `${i.id}  ${i.openedAt.slice(0, 16)}  ${i.orgName} (${i.orgId})  ${i.signal}: ${i.summary}${i.suspended ? '  [suspended]' : ''}`,
        );
    });
  review
    .command('dismiss <itemId> <note>')
    .description('close a review item without acting')
    .action(async (itemId: string, note: string) => {
      await client().call('POST', `/api/staff/review/${itemId}/dismiss`, { note });
      say(`Dismissed ${itemId}.`);
    });

  program
    .command('suspend <orgId> <reason>')
    .description('suspend an organisation: automation stops, data and servers stay; members are told the reason')
    .option('--review-item <id>', 'the review item this acts on')
    .action(async (orgId: string, reason: string, o: { reviewItem?: string }) => {
      await client().call('POST', `/api/staff/orgs/${orgId}/suspension`, {
        reason,
        ...(o.reviewItem ? { reviewItemId: o.reviewItem } : {}),
      });
      say(`Suspended ${orgId}. Its members were mailed the reason.`);
    });
  program
    .command('reinstate <orgId> <note>')
    .description('reinstate a suspended organisation: its schedules and monitoring resume')
    .action(async (orgId: string, note: string) => {
      await client().call('DELETE', `/api/staff/orgs/${orgId}/suspension`, { note });
      say(`Reinstated ${orgId}.`);
    });
}
