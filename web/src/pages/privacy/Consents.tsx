import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, call } from '../../api/client';
import type { Consent, ConsentChoice, ConsentRecord } from '../../api/types';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LiveStatus } from '../../components/LiveStatus';
import { QueryState } from '../../components/QueryState';
import { SimpleTable } from '../../components/SimpleTable';
import { Time } from '../../components/Time';
import { privacyKey, useConsents } from './queries';
import { PURPOSE_LABELS, SOURCE_LABELS } from './words';

/** Consent by purpose: each one given or withdrawn on its own, with every past decision kept. */
export function Consents() {
  const consents = useConsents();
  const queryClient = useQueryClient();
  const [announcement, setAnnouncement] = useState('');
  const decide = useMutation({
    mutationFn: (body: ConsentChoice) => call(api.POST('/api/me/consents', { body })),
    onSuccess: async (_data, { purpose, granted }) => {
      setAnnouncement(`${PURPOSE_LABELS[purpose]}: consent ${granted ? 'given' : 'withdrawn'}.`);
      await queryClient.invalidateQueries({ queryKey: privacyKey('consents') });
    },
  });
  return (
    <section className="section" aria-labelledby="consents">
      <h2 id="consents">Consents</h2>
      <p className="muted">
        Steward uses your data for these purposes only while you agree. Withdrawing takes effect at once.
      </p>
      <LiveStatus message={announcement} />
      <ErrorNotice error={decide.error} title="Your choice was not saved" />
      <QueryState query={consents} loading="Loading your consents" failed="Your consents could not be loaded">
        {(data) => (
          <>
            <SimpleTable<Consent>
              caption="Consents by purpose"
              rows={data.current}
              rowKey={(c) => c.purpose}
              empty="No purposes."
              columns={[
                {
                  header: 'Purpose',
                  rowHeader: true,
                  cell: (c) => (
                    <>
                      {PURPOSE_LABELS[c.purpose]}
                      <br />
                      <span className="muted small">{c.statement}</span>
                    </>
                  ),
                },
                {
                  header: 'State',
                  cell: (c) => <Badge tone={c.granted ? 'ok' : 'neutral'}>{c.granted ? 'Given' : 'Not given'}</Badge>,
                },
                { header: 'Since', cell: (c) => <Time iso={c.at} empty="never asked" /> },
                {
                  header: 'Change',
                  className: 'actions',
                  cell: (c) => (
                    <Button
                      variant={c.granted ? 'secondary' : 'primary'}
                      busy={decide.isPending && decide.variables?.purpose === c.purpose}
                      busyLabel="Saving"
                      onClick={() => decide.mutate({ purpose: c.purpose, granted: !c.granted })}
                    >
                      {c.granted ? 'Withdraw' : 'Give'} consent
                      <span className="visually-hidden"> for {PURPOSE_LABELS[c.purpose].toLowerCase()}</span>
                    </Button>
                  ),
                },
              ]}
            />
            <details className="section">
              <summary>History of your decisions ({data.history.length})</summary>
              <SimpleTable<ConsentRecord>
                caption="Every consent decision, newest first"
                rows={data.history}
                rowKey={(h) => h.id}
                empty="No decisions yet."
                columns={[
                  { header: 'When', cell: (h) => <Time iso={h.at} /> },
                  { header: 'Purpose', rowHeader: true, cell: (h) => PURPOSE_LABELS[h.purpose] },
                  { header: 'Decision', cell: (h) => (h.granted ? 'Given' : 'Withdrawn') },
                  {
                    header: 'How',
                    cell: (h) => `${SOURCE_LABELS[h.source]}${h.policyVersion ? `, policy ${h.policyVersion}` : ''}`,
                  },
                ]}
              />
            </details>
          </>
        )}
      </QueryState>
    </section>
  );
}
