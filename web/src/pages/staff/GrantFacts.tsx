import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { api, call } from '../../api/client';
import { readFacts } from '../../api/facts';
import { Ago } from '../../components/Ago';
import { Button } from '../../components/Button';
import { SelectField } from '../../components/SelectField';
import { ErrorNotice } from '../../components/ErrorNotice';
import { FACT_CATEGORIES } from '../servers/facts/factCategories';
import { GrantFoundSecrets } from './GrantFoundSecrets';

/**
 * What discovery learned about a server, read under the grant's "read facts and logs" action. Each read is an
 * act the customer sees in their timeline, so it happens when asked (a button), never on its own.
 */
export function GrantFacts({
  grantId,
  server,
  mayReveal,
}: {
  grantId: string;
  server: { id: string; name: string };
  mayReveal: boolean;
}) {
  const [category, setCategory] = useState(FACT_CATEGORIES[0]!.id);
  const read = useMutation({
    mutationFn: () =>
      call(
        api.GET('/api/staff/grants/{grantId}/servers/{serverId}/facts', {
          params: { path: { grantId, serverId: server.id } },
        }),
      ),
  });
  const facts = read.data ? readFacts(read.data.facts) : null;
  const chosen = FACT_CATEGORIES.find((c) => c.id === category) ?? FACT_CATEGORIES[0]!;
  return (
    <section className="section stack" aria-labelledby="work-facts">
      <h2 id="work-facts">Facts and logs</h2>
      <p className="muted">
        What Steward’s discovery learned about {server.name}: system, packages, services, ports, users, keys, databases,
        logs. Each read is recorded in the customer’s timeline.
      </p>
      <div>
        <Button onClick={() => read.mutate()} busy={read.isPending} busyLabel="Reading">
          {read.data ? 'Read again' : `Read the facts of ${server.name}`}
        </Button>
      </div>
      <ErrorNotice error={read.error} title="The facts could not be read" />
      {read.data && facts && (
        <>
          <p className="muted small">
            From the discovery <Ago iso={read.data.takenAt} />.
          </p>
          <SelectField label="Category" value={category} onChange={(event) => setCategory(event.target.value)}>
            {FACT_CATEGORIES.map((c) => (
              <option key={c.id} value={c.id}>
                {c.label}
                {c.count ? ` (${c.count(facts)})` : ''}
              </option>
            ))}
          </SelectField>
          <section className="stack" aria-labelledby="work-facts-category">
            <h3 id="work-facts-category">{chosen.label}</h3>
            <p className="muted small">{chosen.about}</p>
            {chosen.render(facts)}
          </section>
        </>
      )}
      <GrantFoundSecrets grantId={grantId} server={server} mayReveal={mayReveal} />
    </section>
  );
}
