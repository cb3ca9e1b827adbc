import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, call } from '../../api/client';
import { Button } from '../../components/Button';
import { SelectField } from '../../components/SelectField';
import { Loading } from '../../components/Loading';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LiveStatus } from '../../components/LiveStatus';
import { Time } from '../../components/Time';
import { useOrg } from '../org/OrgScope';
import { orgKey } from '../org/queries';
import { useSchedule } from './queries';
import { useServerPage } from './ServerLayout';

const EVERY = [
  [15, 'Every 15 minutes'],
  [60, 'Every hour'],
  [360, 'Every 6 hours'],
  [1440, 'Every day'],
  [10080, 'Every week'],
] as const;

/** How often Steward discovers the server by itself: turned on, changed or off. */
export function Schedule() {
  const org = useOrg();
  const { server } = useServerPage();
  const queryClient = useQueryClient();
  const schedule = useSchedule(org.id, server.id);
  const [said, setSaid] = useState('');
  const params = { params: { path: { orgId: org.id, serverId: server.id } } };
  const refresh = () => queryClient.invalidateQueries({ queryKey: orgKey(org.id, 'servers', server.id, 'schedule') });
  const save = useMutation({
    mutationFn: (everyMinutes: number) =>
      call(api.PUT('/api/orgs/{orgId}/servers/{serverId}/discovery-schedule', { ...params, body: { everyMinutes } })),
    onSuccess: async (s) => {
      setSaid(`Steward will discover ${server.name} every ${s.everyMinutes} minutes.`);
      await refresh();
    },
  });
  const clear = useMutation({
    mutationFn: () => call(api.DELETE('/api/orgs/{orgId}/servers/{serverId}/discovery-schedule', params)),
    onSuccess: async () => {
      setSaid('Scheduled discovery is off.');
      await refresh();
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    save.mutate(Number(new FormData(event.currentTarget).get('every')));
  };
  const current = schedule.data;
  return (
    <section className="section card" aria-labelledby="schedule-title">
      <h2 id="schedule-title">Scheduled discovery</h2>
      <p className="muted">
        A standing instruction: Steward logs in on this schedule to see what changed. Each login is in the
        credential-use ledger as caused by this schedule.
      </p>
      {schedule.isPending && <Loading label="Loading the schedule" />}
      <ErrorNotice error={schedule.error} title="The schedule could not be loaded" />
      {schedule.isSuccess && (
        <p>
          {current ? (
            <>
              Every {current.everyMinutes} minutes; next run <Time iso={current.nextRunAt} />.
            </>
          ) : (
            'Off: Steward discovers this server only when asked.'
          )}
        </p>
      )}
      <form method="post" onSubmit={submit} className="inline-form" key={current?.everyMinutes ?? 'off'}>
        <SelectField label="How often" name="every" defaultValue={String(current?.everyMinutes ?? 1440)}>
          {EVERY.map(([m, label]) => (
            <option key={m} value={m}>
              {label}
            </option>
          ))}
          {current && !EVERY.some(([m]) => m === current.everyMinutes) && (
            <option value={current.everyMinutes}>Every {current.everyMinutes} minutes</option>
          )}
        </SelectField>
        <Button type="submit" busy={save.isPending} busyLabel="Saving">
          {current ? 'Change schedule' : 'Turn on'}
        </Button>
        {current && (
          <Button variant="ghost" onClick={() => clear.mutate()} busy={clear.isPending} busyLabel="Turning off">
            Turn off
          </Button>
        )}
      </form>
      <ErrorNotice error={save.error ?? clear.error} title="The schedule was not changed" />
      <LiveStatus message={said} />
    </section>
  );
}
