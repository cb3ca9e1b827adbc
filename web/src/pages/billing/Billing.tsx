import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { Button } from '../../components/Button';
import { Loading } from '../../components/Loading';
import { ErrorNotice } from '../../components/ErrorNotice';
import { PageHeader } from '../../components/PageHeader';
import { SimpleTable } from '../../components/SimpleTable';
import { useOrg } from '../org/OrgScope';
import { invoiceColumns } from './invoiceColumns';
import { billingKey, useBillingProfile, useInvoices, useOrgPlan, usePlans } from './queries';

/** The organisation's plan, billing contact and invoices, each with its PDF. */
export function Billing() {
  const org = useOrg();
  const plan = useOrgPlan(org.id);
  const plans = usePlans();
  const invoices = useInvoices(org.id);
  const profile = useBillingProfile(org.id);
  const client = useQueryClient();
  const choose = useMutation({
    mutationFn: (planId: string) =>
      call(api.PUT('/api/orgs/{orgId}/billing/plan', { params: { path: { orgId: org.id } }, body: { planId } })),
    onSuccess: () => client.invalidateQueries({ queryKey: billingKey('plan', org.id) }),
  });
  const isOwner = org.role === 'owner';
  return (
    <>
      <PageHeader title="Billing" description="Your plan, who invoices go to, and every invoice with its PDF." />
      <section className="section card stack" aria-labelledby="plan">
        <h2 id="plan">Plan</h2>
        {plan.isPending ? (
          <Loading />
        ) : plan.data?.current ? (
          <p>
            <strong>{plan.data.current.name}</strong>: {plan.data.current.monthlyPrice} {plan.data.current.currency} a
            month, {plan.data.current.includedServers} {plan.data.current.includedServers === 1 ? 'server' : 'servers'}{' '}
            included, then {plan.data.current.serverHourPrice} per extra server-hour
            {Number(plan.data.current.monitoredServerHourPrice) > 0
              ? `, ${plan.data.current.monitoredServerHourPrice} per monitored server-hour`
              : ', monitoring included'}
            ; {plan.data.current.supportTier} support.
          </p>
        ) : (
          <p className="muted">No plan yet.</p>
        )}
        {isOwner && plans.data && (
          <div className="row">
            {plans.data
              .filter((p) => p.id !== plan.data?.current?.id)
              .map((p) => (
                <Button
                  key={p.id}
                  busy={choose.isPending && choose.variables === p.id}
                  onClick={() => choose.mutate(p.id)}
                >
                  Move to {p.name} ({p.monthlyPrice} {p.currency}/month)
                </Button>
              ))}
          </div>
        )}
        <ErrorNotice error={choose.error} title="The plan could not be changed" />
        {isOwner && (
          <p className="muted">A change takes effect now; the month’s invoice charges each plan for its share.</p>
        )}
      </section>
      <section className="section card stack" aria-labelledby="contact">
        <h2 id="contact">Billing contact</h2>
        {profile.data ? (
          <address>
            {profile.data.name}
            <br />
            {profile.data.email}
            {profile.data.addressLines.map((l) => (
              <span key={l}>
                <br />
                {l}
              </span>
            ))}
            <br />
            {profile.data.country}
            {profile.data.taxId && <> · Tax id {profile.data.taxId}</>}
          </address>
        ) : (
          <p className="muted">
            {profile.isPending ? 'Loading' : 'None yet: invoices go to the organisation’s owners, without tax.'}
          </p>
        )}
      </section>
      <section className="section" aria-labelledby="invoices">
        <h2 id="invoices">Invoices</h2>
        {invoices.isPending ? (
          <Loading />
        ) : (
          <SimpleTable
            caption="Invoices and credit notes"
            rows={invoices.data ?? []}
            rowKey={(i) => i.id}
            empty="No invoices yet: the first comes after the end of the month."
            columns={[
              ...invoiceColumns((i) => `/api/orgs/${org.id}/invoices/${i.id}/pdf`),
              { header: 'Due', cell: (i) => (i.kind === 'invoice' ? i.dueAt.slice(0, 10) : '') },
            ]}
          />
        )}
      </section>
    </>
  );
}
