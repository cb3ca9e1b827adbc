import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { api, call } from '../../api/client';
import { Loading } from '../../components/Loading';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Success } from '../../components/Success';
import { AuthLayout } from './AuthLayout';

/**
 * The page the sign-up mail links to. The token comes after `#`, so the browser never sends it anywhere but here;
 * it is posted once, and then taken out of the address bar and history.
 */
export function Confirm() {
  const [token] = useState(() => window.location.hash.replace(/^#/, ''));
  const confirm = useMutation({
    mutationFn: (value: string) => call(api.POST('/api/auth/confirm', { body: { token: value } })),
  });
  const { mutate } = confirm;
  // The link works once: a second run of the effect (React's development checks) must not post it again.
  const posted = useRef(false);
  useEffect(() => {
    if (token === '' || posted.current) return;
    posted.current = true;
    window.history.replaceState(null, '', window.location.pathname);
    mutate(token);
  }, [mutate, token]);

  if (token === '')
    return (
      <AuthLayout title="Confirm your address">
        <p>Open this page from the link in the confirmation mail Steward sent you.</p>
      </AuthLayout>
    );
  return (
    <AuthLayout
      title={confirm.isSuccess ? 'Your address is confirmed' : 'Confirm your address'}
      footer={
        <p>
          <Link to="/signup">Sign up again</Link>
        </p>
      }
    >
      {confirm.isPending && <Loading label="Confirming your address" />}
      {confirm.isSuccess && (
        <>
          <Success>Your account and its organisation are ready. Sign in with the password you chose.</Success>
          <Link className="btn btn-primary" to="/signin">
            Sign in
          </Link>
        </>
      )}
      <ErrorNotice error={confirm.error} title="The address was not confirmed" />
    </AuthLayout>
  );
}
