import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Loading } from '../../components/Loading';
import { ErrorNotice } from '../../components/ErrorNotice';
import { PageHeader } from '../../components/PageHeader';
import { SimpleTable } from '../../components/SimpleTable';

/** The fraud and abuse review queue: what raised each organisation, and suspending or reinstating it. */
export function AbuseReview() {
  const client = useQueryClient();
  const items = useQuery({
    queryKey: ['abuse', 'open'],
    queryFn: async () => (await call(api.GET('/api/staff/review', { params: { query: { limit: 200 } } }))).items,
  });
  const suspended = useQuery({
    queryKey: ['abuse', 'suspended'],
    queryFn: async () =>
      (await call(api.GET('/api/staff/suspensions', { params: { query: { limit: 200, active: 'true' } } })))
        .suspensions,
  });
  const refresh = () => client.invalidateQueries({ queryKey: ['abuse'] });
  const suspend = useMutation({
    mutationFn: (item: { orgId: string; id: string; summary: string }) => {
      const reason = window.prompt('Reason the members will read', item.summary);
      if (!reason) return Promise.resolve(null);
      return call(
        api.POST('/api/staff/orgs/{orgId}/suspension', {
          params: { path: { orgId: item.orgId } },
          body: { reason, reviewItemId: item.id },
        }),
      );
    },
    onSuccess: refresh,
  });
  const reinstate = useMutation({
    mutationFn: (orgId: string) => {
      const note = window.prompt('Note for the members');
      if (!note) return Promise.resolve(null);
      return call(api.DELETE('/api/staff/orgs/{orgId}/suspension', { params: { path: { orgId } }, body: { note } }));
    },
    onSuccess: refresh,
  });
  return (
    <>
      <PageHeader
        title="Fraud and abuse review"
        description="Risk signals put organisations here. Suspending stops their automation; data and servers stay."
      />
      <section className="section" aria-labelledby="queue">
        <h2 id="queue">Queue</h2>
        {items.isPending ? (
          <Loading />
        ) : (
          <SimpleTable
            caption="Review items"
            rows={items.data ?? []}
            rowKey={(i) => i.id}
            empty="Nothing raised."
            columns={[
              { header: 'Organisation', rowHeader: true, cell: (i) => i.orgName },
              { header: 'Signal', cell: (i) => i.signal.replace(/_/g, ' ') },
              { header: 'What', cell: (i) => i.summary },
              {
                header: 'Status',
                cell: (i) => <Badge tone={i.status === 'open' ? 'warn' : 'neutral'}>{i.status}</Badge>,
              },
              {
                header: 'Action',
                cell: (i) =>
                  i.status === 'open' && !i.suspended ? (
                    <Button onClick={() => suspend.mutate(i)}>Suspend {i.orgName}</Button>
                  ) : null,
              },
            ]}
          />
        )}
        <ErrorNotice error={suspend.error} title="The organisation was not suspended" />
      </section>
      <section className="section" aria-labelledby="suspended">
        <h2 id="suspended">Suspended organisations</h2>
        <SimpleTable
          caption="Suspended organisations"
          rows={suspended.data ?? []}
          rowKey={(s) => s.id}
          empty="None."
          columns={[
            { header: 'Organisation', rowHeader: true, cell: (s) => s.orgName },
            { header: 'Reason', cell: (s) => s.reason },
            { header: 'Since', cell: (s) => s.suspendedAt.slice(0, 10) },
            { header: 'Appeal', cell: (s) => (s.appealRequestId ? 'appealed' : '—') },
            {
              header: 'Action',
              cell: (s) => <Button onClick={() => reinstate.mutate(s.orgId)}>Reinstate {s.orgName}</Button>,
            },
          ]}
        />
        <ErrorNotice error={reinstate.error} title="The organisation was not reinstated" />
      </section>
    </>
  );
}
