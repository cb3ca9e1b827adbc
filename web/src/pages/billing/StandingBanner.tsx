import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, call } from '../../api/client';
import { Button } from '../../components/Button';
import { TextAreaField } from '../../components/TextAreaField';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useStanding } from './queries';

/** On every page of a suspended organisation: why, what still works, and the way to appeal. */
export function StandingBanner({ orgId }: { orgId: string }) {
  const standing = useStanding(orgId);
  const client = useQueryClient();
  const [message, setMessage] = useState('');
  const appeal = useMutation({
    mutationFn: () => call(api.POST('/api/orgs/{orgId}/appeal', { params: { path: { orgId } }, body: { message } })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['standing', orgId] }),
  });
  const s = standing.data;
  if (!s?.suspended) return null;
  return (
    <section className="notice notice-warn section stack" role="alert" aria-labelledby="suspended">
      <h2 id="suspended">This organisation is suspended</h2>
      <p>Reason given by Steward’s staff: {s.reason}</p>
      <p>
        Schedules, monitoring and tasks are stopped. Your data and servers stay as they are, and you can read
        everything.
      </p>
      {s.appealRequestId ? (
        <p>
          Your appeal is open: <Link to={`/orgs/${orgId}/support/${s.appealRequestId}`}>read or add to it</Link>.
        </p>
      ) : (
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            appeal.mutate();
          }}
        >
          <TextAreaField
            label="Appeal"
            hint="Tell staff what happened; they answer in a support request."
            value={message}
            onChange={(e) => setMessage(e.target.value)}
            required
          />
          <Button type="submit" variant="primary" busy={appeal.isPending}>
            Send the appeal
          </Button>
          <ErrorNotice error={appeal.error} title="The appeal could not be sent" />
        </form>
      )}
    </section>
  );
}
