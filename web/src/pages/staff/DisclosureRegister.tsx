import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, call } from '../../api/client';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LiveStatus } from '../../components/LiveStatus';
import { QueryTable } from '../../components/QueryTable';
import { Time } from '../../components/Time';
import { KIND_LABEL, STATUS_TONE } from './privacyOpsModel';
import { NoticeProgress } from './NoticeProgress';
import { DisclosureForm } from './DisclosureForm';

export function DisclosureRegister() {
  const client = useQueryClient();
  const [status, setStatus] = useState('');
  const [adding, setAdding] = useState(false);
  const list = useQuery({
    queryKey: ['staff', 'disclosures'],
    queryFn: async () => (await call(api.GET('/api/staff/disclosures'))).disclosures,
  });
  const refresh = () => void client.invalidateQueries({ queryKey: ['staff', 'disclosures'] });
  const notices = useMutation({
    mutationFn: (id: string) =>
      call(api.POST('/api/staff/disclosures/{disclosureId}/notices', { params: { path: { disclosureId: id } } })),
    onSuccess: (d) => {
      setStatus(
        `Notices of the transfer to ${d.recipient} are on their way${d.notices ? ` (${d.notices.affected} people affected)` : ''}.`,
      );
      refresh();
    },
  });
  const complete = useMutation({
    mutationFn: (id: string) =>
      call(api.POST('/api/staff/disclosures/{disclosureId}/complete', { params: { path: { disclosureId: id } } })),
    onSuccess: (d) => {
      setStatus(`The transfer to ${d.recipient} is recorded as done.`);
      refresh();
    },
  });
  return (
    <section className="section stack" aria-labelledby="register-title">
      <div className="row">
        <h2 id="register-title">Disclosure register</h2>
        <Button variant="primary" onClick={() => setAdding(true)}>
          Record a disclosure
        </Button>
      </div>
      <LiveStatus message={status} />
      <ErrorNotice error={notices.error} title="The notices were not sent" />
      <ErrorNotice error={complete.error} title="The transfer cannot be marked done yet" />
      <QueryTable
        query={list}
        loading="Loading the register"
        failed="The register could not be loaded"
        caption="Disclosure register"
        rowKey={(d) => d.id}
        empty="Nothing has been disclosed."
        columns={[
          { header: 'Recipient', rowHeader: true, cell: (d) => d.recipient },
          { header: 'Kind', cell: (d) => KIND_LABEL[d.kind] },
          {
            header: 'Grounds',
            cell: (d) =>
              d.agreementRef
                ? `Agreement ${d.agreementRef}`
                : d.legalBasis
                  ? `${d.legalBasis.replace('_', ' ')}${d.reference ? ` (${d.reference})` : ''}`
                  : (d.reference ?? '—'),
          },
          { header: 'Data', cell: (d) => d.dataCategories.join(', ') },
          {
            header: 'Status',
            cell: (d) => (
              <>
                <Badge tone={STATUS_TONE[d.status]}>{d.status}</Badge>
                {d.status === 'notifying' && <NoticeProgress id={d.id} />}
              </>
            ),
          },
          { header: 'Recorded', cell: (d) => <Time iso={d.createdAt} /> },
          {
            header: 'Actions',
            cell: (d) =>
              d.kind === 'transfer' && d.status !== 'done' ? (
                <div className="row">
                  {d.status === 'planned' && (
                    <Button
                      onClick={() => {
                        notices.reset();
                        complete.reset();
                        notices.mutate(d.id);
                      }}
                      busy={notices.isPending && notices.variables === d.id}
                      busyLabel="Sending"
                    >
                      Send notices
                      <span className="visually-hidden"> to people affected by the transfer to {d.recipient}</span>
                    </Button>
                  )}
                  <Button
                    onClick={() => {
                      notices.reset();
                      complete.reset();
                      complete.mutate(d.id);
                    }}
                    busy={complete.isPending && complete.variables === d.id}
                    busyLabel="Checking"
                  >
                    Mark done<span className="visually-hidden">: the transfer to {d.recipient}</span>
                  </Button>
                </div>
              ) : null,
          },
        ]}
      />
      <Dialog open={adding} title="Record a disclosure" onClose={() => setAdding(false)}>
        <DisclosureForm
          onDone={(d) => {
            setAdding(false);
            setStatus(`Recorded: ${KIND_LABEL[d.kind].toLowerCase()} to ${d.recipient}.`);
            refresh();
          }}
          onCancel={() => setAdding(false)}
        />
      </Dialog>
    </section>
  );
}
