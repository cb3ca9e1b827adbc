import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, call } from '../../api/client';
import type { GrantAction, NewSupportRequest, Server } from '../../api/types';
import { Button } from '../../components/Button';
import { SelectField } from '../../components/SelectField';
import { TextAreaField } from '../../components/TextAreaField';
import { TextField } from '../../components/TextField';
import { formErrors, formValue } from '../../components/formErrors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { SERVER_STATUS } from '../../components/status';
import { orgKey } from '../org/queries';
import { ACTION_LABELS, ALL_ACTIONS, DURATIONS } from './words';

const FIELDS = ['subject', 'message', 'serverIds', 'durationMinutes', 'actions'] as const;

/**
 * Asks the operator's staff for help: what is wrong, on which servers, for how long and what they may do.
 * The request creates the grant the staff member who takes it works under; its window starts when taken.
 */
export function OpenSupportRequest({ orgId, servers }: { orgId: string; servers: readonly Server[] }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const [actions, setActions] = useState<ReadonlySet<GrantAction>>(new Set(['terminal', 'tasks', 'read_facts_logs']));
  const open = useMutation({
    mutationFn: (body: NewSupportRequest) =>
      call(api.POST('/api/orgs/{orgId}/support-requests', { params: { path: { orgId } }, body })),
    onSuccess: async (request) => {
      await queryClient.invalidateQueries({ queryKey: orgKey(orgId, 'support') });
      await queryClient.invalidateQueries({ queryKey: orgKey(orgId, 'grants') });
      navigate(`/orgs/${orgId}/support/${request.id}`);
    },
  });
  const errors = formErrors(open.error, FIELDS);
  const toggle = <T,>(set: ReadonlySet<T>, value: T, on: boolean) => {
    const next = new Set(set);
    if (on) next.add(value);
    else next.delete(value);
    return next;
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    open.mutate({
      kind: formValue(data, 'kind') === 'initial_setup' ? 'initial_setup' : 'support',
      subject: formValue(data, 'subject'),
      message: formValue(data, 'message'),
      serverIds: [...picked],
      durationMinutes: Number(formValue(data, 'duration')),
      actions: ALL_ACTIONS.filter((a) => actions.has(a)),
    });
  };
  return (
    <form className="card stack section" method="post" onSubmit={submit} aria-labelledby="open-request">
      <h2 id="open-request">Ask for help</h2>
      <SelectField label="Kind of request" name="kind" defaultValue="support">
        <option value="support">Support: something is wrong</option>
        <option value="initial_setup">Initial setup of new servers</option>
      </SelectField>
      <TextField
        label="Subject"
        name="subject"
        required
        maxLength={200}
        error={errors.field.subject}
        autoComplete="off"
      />
      <TextAreaField
        label="What do you need?"
        name="message"
        required
        maxLength={10_000}
        rows={4}
        error={errors.field.message}
        hint="Never paste passwords or keys here: staff work through Steward and need none."
      />
      <fieldset className="server-pick">
        <legend>Servers staff may reach</legend>
        {servers.length === 0 && (
          <p className="muted">No servers yet. A request without servers lets staff read and reply only.</p>
        )}
        <ul className="check-list">
          {servers.map((s) => (
            <li key={s.id}>
              <label className="choice">
                <input
                  type="checkbox"
                  checked={picked.has(s.id)}
                  onChange={(event) => setPicked(toggle(picked, s.id, event.target.checked))}
                />
                {s.name}{' '}
                <span className="muted small">
                  {s.address}
                  {s.status !== 'ready' ? ` · ${SERVER_STATUS[s.status].label}` : ''}
                </span>
              </label>
            </li>
          ))}
        </ul>
        {errors.field.serverIds && <p className="field-error">{errors.field.serverIds}</p>}
      </fieldset>
      <fieldset className="server-pick">
        <legend>What staff may do</legend>
        <ul className="check-list">
          {ALL_ACTIONS.map((a) => (
            <li key={a}>
              <label className="choice">
                <input
                  type="checkbox"
                  checked={actions.has(a)}
                  onChange={(event) => setActions(toggle(actions, a, event.target.checked))}
                />
                {ACTION_LABELS[a]}
              </label>
            </li>
          ))}
        </ul>
        {errors.field.actions && <p className="field-error">{errors.field.actions}</p>}
      </fieldset>
      <SelectField
        label="For how long"
        name="duration"
        defaultValue="60"
        hint="The time starts when a staff member takes the request. You can end it earlier at any time."
        error={errors.field.durationMinutes}
      >
        {DURATIONS.map((d) => (
          <option key={d.minutes} value={d.minutes}>
            {d.label}
          </option>
        ))}
      </SelectField>
      <ErrorNotice error={errors.form} title="The request could not be opened" />
      <div className="row">
        <Button type="submit" variant="primary" busy={open.isPending} busyLabel="Opening">
          Open the request
        </Button>
      </div>
    </form>
  );
}
