import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, type FormEvent } from 'react';
import { api, call } from '../../api/client';
import type { components } from '../../api/schema';
import { Button } from '../../components/Button';
import { SelectField } from '../../components/SelectField';
import { TextField } from '../../components/TextField';
import { formErrors, formValue, oneOf } from '../../components/formErrors';
import { Loading } from '../../components/Loading';
import { ErrorNotice } from '../../components/ErrorNotice';
import { PageHeader } from '../../components/PageHeader';
import { SimpleTable } from '../../components/SimpleTable';
import { invoiceColumns } from '../billing/invoiceColumns';

type Invoice = Pick<components['schemas']['Invoice'], 'id' | 'number' | 'balance' | 'currency'>;

const PLAN_FIELDS = [
  'code',
  'name',
  'monthlyPrice',
  'includedServers',
  'serverHourPrice',
  'monitoredServerHourPrice',
  'backupGibMonthPrice',
  'supportTier',
] as const;
const TAX_FIELDS = ['country', 'ratePercent', 'label'] as const;

/** The operator's billing: plans and their prices, tax rates by country, and every invoice with its payments. */
export function StaffBilling() {
  const client = useQueryClient();
  const refresh = () => client.invalidateQueries({ queryKey: ['staff-billing'] });
  const plans = useQuery({
    queryKey: ['staff-billing', 'plans'],
    queryFn: async () => (await call(api.GET('/api/billing/plans'))).plans,
  });
  const rates = useQuery({
    queryKey: ['staff-billing', 'tax-rates'],
    queryFn: async () => (await call(api.GET('/api/staff/tax-rates'))).rates,
  });
  const invoices = useQuery({
    queryKey: ['staff-billing', 'invoices'],
    queryFn: async () => (await call(api.GET('/api/staff/invoices', { params: { query: { limit: 200 } } }))).invoices,
  });
  const planForm = useRef<HTMLFormElement>(null);
  const createPlan = useMutation({
    mutationFn: (form: FormData) =>
      call(
        api.POST('/api/staff/plans', {
          body: {
            code: formValue(form, 'code'),
            name: formValue(form, 'name'),
            monthlyPrice: formValue(form, 'monthlyPrice'),
            includedServers: Number(formValue(form, 'includedServers')),
            serverHourPrice: formValue(form, 'serverHourPrice'),
            monitoredServerHourPrice: formValue(form, 'monitoredServerHourPrice'),
            backupGibMonthPrice: formValue(form, 'backupGibMonthPrice'),
            supportTier: oneOf(formValue(form, 'supportTier'), ['community', 'standard', 'priority'], 'standard'),
          },
        }),
      ),
    onSuccess: () => {
      planForm.current?.reset();
      void refresh();
    },
  });
  const setRate = useMutation({
    mutationFn: (form: FormData) =>
      call(
        api.PUT('/api/staff/tax-rates/{country}', {
          params: { path: { country: formValue(form, 'country') } },
          body: { ratePercent: formValue(form, 'ratePercent'), label: formValue(form, 'label') },
        }),
      ),
    onSuccess: refresh,
  });
  const pay = useMutation({
    mutationFn: (invoice: Invoice) => {
      const amount = window.prompt(`Amount received for ${invoice.number} (${invoice.currency})`, invoice.balance);
      if (!amount) return Promise.resolve(null);
      const reference = window.prompt('Transfer reference (optional)') || null;
      return call(
        api.POST('/api/staff/invoices/{invoiceId}/payments', {
          params: { path: { invoiceId: invoice.id } },
          body: { amount: amount.trim(), method: 'bank_transfer', reference },
        }),
      );
    },
    onSuccess: refresh,
  });
  const submit = (mutate: (form: FormData) => void) => (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    mutate(new FormData(event.currentTarget));
  };
  const planErrors = formErrors(createPlan.error, PLAN_FIELDS);
  const taxErrors = formErrors(setRate.error, TAX_FIELDS);
  return (
    <>
      <PageHeader
        title="Billing"
        description="Plans and their prices (fixed once defined), tax rates by country, and every invoice with its payments."
      />
      <section className="section stack" aria-labelledby="plans">
        <h2 id="plans">Plans</h2>
        {plans.isPending ? (
          <Loading />
        ) : (
          <SimpleTable
            caption="Plans on offer"
            rows={plans.data ?? []}
            rowKey={(p) => p.id}
            empty="No plans yet."
            columns={[
              { header: 'Plan', rowHeader: true, cell: (p) => `${p.name} (${p.code})` },
              { header: 'Monthly', cell: (p) => `${p.monthlyPrice} ${p.currency}` },
              { header: 'Included servers', cell: (p) => p.includedServers },
              { header: 'Extra server-hour', cell: (p) => p.serverHourPrice },
              { header: 'Monitored server-hour', cell: (p) => p.monitoredServerHourPrice },
              { header: 'Backup GiB-month', cell: (p) => p.backupGibMonthPrice },
              { header: 'Support', cell: (p) => p.supportTier },
            ]}
          />
        )}
        <ErrorNotice error={plans.error} title="The plans could not be loaded" />
        <form ref={planForm} method="post" onSubmit={submit((f) => createPlan.mutate(f))} className="card stack">
          <h3>Define a plan</h3>
          <div className="row">
            <TextField label="Code" name="code" required maxLength={40} error={planErrors.field.code} />
            <TextField label="Name" name="name" required maxLength={80} error={planErrors.field.name} />
          </div>
          <div className="row">
            <TextField
              label="Monthly price"
              name="monthlyPrice"
              required
              inputMode="decimal"
              error={planErrors.field.monthlyPrice}
            />
            <TextField
              label="Servers included"
              name="includedServers"
              required
              inputMode="numeric"
              error={planErrors.field.includedServers}
            />
            <TextField
              label="Price per extra server-hour"
              name="serverHourPrice"
              required
              inputMode="decimal"
              error={planErrors.field.serverHourPrice}
            />
          </div>
          <div className="row">
            <TextField
              label="Price per monitored server-hour"
              name="monitoredServerHourPrice"
              defaultValue="0"
              inputMode="decimal"
              hint="0 includes monitoring in the plan."
              error={planErrors.field.monitoredServerHourPrice}
            />
            <TextField
              label="Price per GiB-month of backups"
              name="backupGibMonthPrice"
              defaultValue="0"
              inputMode="decimal"
              error={planErrors.field.backupGibMonthPrice}
            />
            <SelectField
              label="Support"
              name="supportTier"
              defaultValue="standard"
              error={planErrors.field.supportTier}
            >
              <option value="community">Community</option>
              <option value="standard">Standard</option>
              <option value="priority">Priority</option>
            </SelectField>
          </div>
          <p className="muted">Prices are decimals such as 29.00 or 0.0125; they never change once the plan exists.</p>
          <ErrorNotice error={planErrors.form} title="The plan was not defined" />
          <div>
            <Button type="submit" variant="primary" busy={createPlan.isPending} busyLabel="Defining">
              Define the plan
            </Button>
          </div>
        </form>
      </section>
      <section className="section stack" aria-labelledby="tax">
        <h2 id="tax">Tax rates</h2>
        {rates.isPending ? (
          <Loading />
        ) : (
          <SimpleTable
            caption="Tax rates by country"
            rows={rates.data ?? []}
            rowKey={(r) => r.country}
            empty="No tax rates: invoices carry no tax."
            columns={[
              {
                header: 'Country',
                rowHeader: true,
                cell: (r) => (r.country === '*' ? 'Every other country' : r.country),
              },
              { header: 'Rate', cell: (r) => `${r.ratePercent} %` },
              { header: 'Label', cell: (r) => r.label },
            ]}
          />
        )}
        <form method="post" onSubmit={submit((f) => setRate.mutate(f))} className="card stack">
          <h3>Set a tax rate</h3>
          <div className="row">
            <TextField
              label="Country"
              name="country"
              required
              maxLength={2}
              hint="ISO code such as DE, or * for every other country."
              error={taxErrors.field.country}
            />
            <TextField
              label="Rate (%)"
              name="ratePercent"
              required
              inputMode="decimal"
              error={taxErrors.field.ratePercent}
            />
            <TextField label="Label" name="label" required maxLength={40} error={taxErrors.field.label} />
          </div>
          <ErrorNotice error={taxErrors.form} title="The tax rate was not set" />
          <div>
            <Button type="submit" busy={setRate.isPending} busyLabel="Setting">
              Set the rate
            </Button>
          </div>
        </form>
      </section>
      <section className="section stack" aria-labelledby="invoices">
        <h2 id="invoices">Invoices</h2>
        {invoices.isPending ? (
          <Loading />
        ) : (
          <SimpleTable
            caption="Invoices and credit notes of every organisation"
            rows={invoices.data ?? []}
            rowKey={(i) => i.id}
            empty="No invoices yet: they are issued after the end of each month."
            columns={[
              ...invoiceColumns<components['schemas']['StaffInvoice']>(
                (i) => `/api/staff/invoices/${i.id}/pdf`,
                [{ header: 'Organisation', cell: (i) => i.orgName ?? i.orgId }],
              ),
              {
                header: 'Payment',
                cell: (i) =>
                  i.kind === 'invoice' && i.status === 'open' ? (
                    <Button aria-label={`Record payment for ${i.number}`} onClick={() => pay.mutate(i)}>
                      Record payment
                    </Button>
                  ) : null,
              },
            ]}
          />
        )}
        <ErrorNotice error={invoices.error} title="The invoices could not be loaded" />
        <ErrorNotice error={pay.error} title="The payment was not recorded" />
      </section>
    </>
  );
}
