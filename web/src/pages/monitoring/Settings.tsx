import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, call } from '../../api/client';
import type { MonitoringSettingsBody } from '../../api/types';
import { Button } from '../../components/Button';
import { SelectField } from '../../components/SelectField';
import { TextAreaField } from '../../components/TextAreaField';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LiveStatus } from '../../components/LiveStatus';
import { QueryState } from '../../components/QueryState';
import { useOrg } from '../org/OrgScope';
import { orgKey } from '../org/queries';
import { useMonitoringSettings } from './queries';

const INTERVALS = [
  [10, '10 seconds'],
  [30, '30 seconds'],
  [60, '1 minute'],
  [300, '5 minutes'],
  [900, '15 minutes'],
  [3600, '1 hour'],
] as const;

export function Settings() {
  const org = useOrg();
  const queryClient = useQueryClient();
  const settings = useMonitoringSettings(org.id);
  const [said, setSaid] = useState('');
  const save = useMutation({
    mutationFn: (body: MonitoringSettingsBody) =>
      call(api.PUT('/api/orgs/{orgId}/monitoring/settings', { params: { path: { orgId: org.id } }, body })),
    onSuccess: async (s) => {
      setSaid(
        `Saved: ${s.monitorAll ? 'every server' : 'chosen servers'}, a sample every ${s.intervalSeconds} s, ${s.recipients.length} alert recipient${s.recipients.length === 1 ? '' : 's'}.`,
      );
      await queryClient.invalidateQueries({ queryKey: orgKey(org.id, 'monitoring') });
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const recipients = String(form.get('recipients') ?? '')
      .split(/[\s,]+/)
      .map((r) => r.trim())
      .filter(Boolean);
    save.mutate({ monitorAll: form.get('scope') === 'all', intervalSeconds: Number(form.get('interval')), recipients });
  };
  const s = settings.data;
  const owner = org.role === 'owner';
  return (
    <section className="section card" aria-labelledby="monitoring-settings-title">
      <h2 id="monitoring-settings-title">Settings</h2>
      <QueryState query={settings} loading="Loading the settings" failed="The settings could not be loaded" />
      {s && (
        <form
          method="post"
          onSubmit={submit}
          className="stack"
          key={`${s.monitorAll}-${s.intervalSeconds}-${s.recipients.join(',')}`}
        >
          <SelectField
            label="Which servers"
            name="scope"
            defaultValue={s.monitorAll ? 'all' : 'chosen'}
            disabled={!owner}
            hint="Chosen servers are switched on from each server’s Metrics tab."
          >
            <option value="all">Every ready server</option>
            <option value="chosen">Only servers I choose</option>
          </SelectField>
          <SelectField label="Sample every" name="interval" defaultValue={String(s.intervalSeconds)} disabled={!owner}>
            {INTERVALS.map(([v, label]) => (
              <option key={v} value={v}>
                {label}
              </option>
            ))}
            {!INTERVALS.some(([v]) => v === s.intervalSeconds) && (
              <option value={s.intervalSeconds}>{s.intervalSeconds} seconds</option>
            )}
          </SelectField>
          <TextAreaField
            label="Alert recipients"
            name="recipients"
            defaultValue={s.recipients.join('\n')}
            rows={3}
            disabled={!owner}
            hint="E-mail addresses, one a line. With none, alerts are recorded and shown but nobody is mailed."
          />
          {owner && (
            <div>
              <Button type="submit" variant="primary" busy={save.isPending} busyLabel="Saving">
                Save settings
              </Button>
            </div>
          )}
        </form>
      )}
      <ErrorNotice error={save.error} title="The settings were not saved" />
      <LiveStatus message={said} />
    </section>
  );
}
