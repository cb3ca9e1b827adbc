import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import { api, call } from '../api/client';
import { Button } from '../components/Button';
import { Loading } from '../components/Loading';
import { ErrorNotice } from '../components/ErrorNotice';
import { refreshSession, useSession } from '../session/session';
import { AuthLayout } from './auth/AuthLayout';

/**
 * The page an invitation link opens. Accepting needs the invited person signed in with the invited address, so
 * a signed-out visitor is offered sign-in or sign-up first and brought back here.
 */
export function AcceptInvite() {
  const { token = '' } = useParams();
  const session = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const accept = useMutation({
    mutationFn: () => call(api.POST('/api/invitations/accept', { body: { token } })),
    onSuccess: async (org) => {
      await refreshSession(queryClient);
      // replace: the invitation token leaves the browser history once it has been used.
      navigate(`/orgs/${org.id}`, { replace: true });
    },
  });
  if (session.isPending) return <Loading label="Loading" fullPage />;
  const back = encodeURIComponent(`/invite/${token}`);

  if (!session.data) {
    return (
      <AuthLayout title="You are invited">
        <p>
          Someone invited you to an organisation on Steward. Sign in (or create an account) with the e-mail address the
          invitation was sent to, then accept it.
        </p>
        <div className="row">
          <Link className="btn btn-primary" to={`/signin?next=${back}`}>
            Sign in
          </Link>
          <Link className="btn btn-secondary" to={`/signup?next=${back}`}>
            Create an account
          </Link>
        </div>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout title="Join an organisation">
      <p>
        You are signed in as <strong>{session.data.user.email}</strong>. Accepting adds you to the organisation that
        invited this address, with the role it chose.
      </p>
      <ErrorNotice error={accept.error} title="The invitation was not accepted" />
      <div className="row">
        <Button variant="primary" busy={accept.isPending} busyLabel="Joining" onClick={() => accept.mutate()}>
          Accept invitation
        </Button>
        <Link className="btn btn-secondary" to="/">
          Not now
        </Link>
      </div>
    </AuthLayout>
  );
}
