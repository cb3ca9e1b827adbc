import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, call } from '../../api/client';
import { Button } from '../../components/Button';
import { TextField } from '../../components/TextField';
import { Loading } from '../../components/Loading';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Success } from '../../components/Success';
import { PageHeader } from '../../components/PageHeader';
import { useSignedIn } from '../../session/session';
import { PublishUndertaking } from './PublishUndertaking';
import { hasRole } from './RequireStaff';

/**
 * The confidentiality undertaking: read it, and accept it with a fresh one-time code to make your roles active.
 * Admins publish new versions here too.
 */
export function Undertaking() {
  const client = useQueryClient();
  const { user } = useSignedIn();
  const status = useQuery({
    queryKey: ['undertaking'],
    queryFn: () => call(api.GET('/api/staff/undertaking')),
  });
  const [code, setCode] = useState('');
  const accept = useMutation({
    mutationFn: (undertakingId: string) => call(api.POST('/api/staff/undertaking', { body: { undertakingId, code } })),
    onSuccess: () => client.invalidateQueries(),
  });
  const s = status.data;
  return (
    <>
      <PageHeader
        title="Confidentiality undertaking"
        description="Your staff roles are active only while you have accepted the current version."
      />
      {!s ? (
        <Loading />
      ) : !s.current ? (
        <p className="muted">The operator has not published an undertaking yet.</p>
      ) : (
        <section className="section card stack" aria-labelledby="undertaking">
          <h2 id="undertaking">
            {s.current.title}, version {s.current.version}
          </h2>
          <div style={{ whiteSpace: 'pre-wrap' }}>{s.current.body}</div>
          {s.pending ? (
            <form
              className="stack"
              onSubmit={(e) => {
                e.preventDefault();
                accept.mutate(s.current!.id);
              }}
            >
              <TextField
                label="One-time code"
                hint="A fresh code from your authenticator app confirms it is you."
                inputMode="numeric"
                autoComplete="one-time-code"
                value={code}
                onChange={(e) => setCode(e.target.value.trim())}
                required
              />
              <Button type="submit" variant="primary" busy={accept.isPending}>
                I accept this undertaking
              </Button>
              <ErrorNotice error={accept.error} title="The undertaking was not accepted" />
            </form>
          ) : (
            <Success>You accepted this version on {s.acceptedAt?.slice(0, 10)}.</Success>
          )}
        </section>
      )}
      {hasRole(user.staffRoles, 'admin') && <PublishUndertaking />}
    </>
  );
}
