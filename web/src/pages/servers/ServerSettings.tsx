import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, call } from '../../api/client';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { SelectField } from '../../components/Field';
import { Loading } from '../../components/Loading';
import { ErrorNotice, LiveStatus } from '../../components/Notice';
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

function Schedule() {
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

function Remove() {
  const org = useOrg();
  const { server } = useServerPage();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const force = server.status === 'remove_failed' || server.status === 'blocked' || server.login === 'bootstrap';
  const remove = useMutation({
    mutationFn: () =>
      call(
        api.DELETE('/api/orgs/{orgId}/servers/{serverId}', {
          params: {
            path: { orgId: org.id, serverId: server.id },
            query: { force: server.status === 'remove_failed' ? 'true' : 'false' },
          },
        }),
      ),
    onSuccess: async () => {
      setOpen(false);
      await queryClient.invalidateQueries({ queryKey: orgKey(org.id, 'servers') });
      navigate(`/orgs/${org.id}/servers`);
    },
  });
  return (
    <section className="section card danger-zone" aria-labelledby="remove-title">
      <h2 id="remove-title">Remove from Steward</h2>
      <p>
        {force
          ? 'Steward forgets the server without logging in to it. Its key may stay in the server’s authorized_keys; remove it there yourself.'
          : 'Steward logs in one last time to take the organisation’s key off the server, then forgets it, its facts and its history. The server itself keeps running.'}
        {server.provider ? ' To stop paying for the instance, terminate it on the Cloud instances page instead.' : ''}
      </p>
      <Button variant="danger" onClick={() => setOpen(true)}>
        Remove {server.name}
      </Button>
      <ConfirmDialog
        open={open}
        title={`Remove “${server.name}”?`}
        confirmText={server.name}
        confirmLabel="Remove server"
        busy={remove.isPending}
        error={remove.error}
        onConfirm={() => remove.mutate()}
        onClose={() => {
          setOpen(false);
          remove.reset();
        }}
      >
        <p>Steward stops managing this server. Adding it again needs a first-login password or key.</p>
      </ConfirmDialog>
    </section>
  );
}

/** How often Steward looks at the server, and removing it. */
export function ServerSettings() {
  return (
    <>
      <Schedule />
      <Remove />
    </>
  );
}
