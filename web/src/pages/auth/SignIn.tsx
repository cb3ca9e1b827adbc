import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { api, call } from '../../api/client';
import { isApiError } from '../../api/errors';
import type { SignInBody } from '../../api/types';
import { Button } from '../../components/Button';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Success } from '../../components/Success';
import { TextField } from '../../components/TextField';
import { formValue } from '../../components/formErrors';
import { Loading } from '../../components/Loading';
import { safeNext } from '../../session/RequireSession';
import { acceptSession, useSession } from '../../session/session';
import { AuthLayout } from './AuthLayout';

/**
 * E-mail and password; when the API answers STEWARD_TOTP_REQUIRED the same form asks for the one-time code and
 * is sent again. The password stays in its field (uncontrolled), never in React state.
 */
export function SignIn() {
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const session = useSession();
  const [needsCode, setNeedsCode] = useState(false);
  const codeField = useRef<HTMLInputElement>(null);
  const signIn = useMutation({
    mutationFn: (body: SignInBody) => call(api.POST('/api/auth/signin', { body })),
    onSuccess: (answer) => {
      acceptSession(queryClient, answer);
      navigate(next, { replace: true });
    },
    onError: (err) => {
      if (isApiError(err, 'STEWARD_TOTP_REQUIRED')) setNeedsCode(true);
    },
  });
  useEffect(() => {
    if (needsCode) codeField.current?.focus();
  }, [needsCode]);

  if (session.isPending) return <Loading label="Loading" fullPage />;
  if (session.data && !signIn.isPending) return <Navigate to={next} replace />;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const totpCode = formValue(form, 'totpCode').replace(/\s+/g, '');
    signIn.mutate({
      email: formValue(form, 'email'),
      password: formValue(form, 'password'),
      ...(needsCode ? { totpCode } : {}),
    });
  };
  const askingForCode = isApiError(signIn.error, 'STEWARD_TOTP_REQUIRED');

  return (
    <AuthLayout
      title="Sign in"
      footer={
        <p>
          New to Steward?{' '}
          <Link to={`/signup${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`}>Create an account</Link>
        </p>
      }
    >
      {params.get('signedOut') === '1' && <Success>You are signed out. Your session has ended on the server.</Success>}
      <form method="post" onSubmit={submit} className="stack">
        <TextField
          label="E-mail address"
          name="email"
          type="email"
          autoComplete="username"
          required
          readOnly={needsCode}
          autoFocus
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          readOnly={needsCode}
        />
        {needsCode && (
          <TextField
            ref={codeField}
            label="One-time code"
            name="totpCode"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="\d{6}"
            maxLength={6}
            required
            hint="The 6-digit code your authenticator app shows for Steward."
          />
        )}
        <div aria-live="polite">
          {askingForCode && (
            <p className="notice notice-info">
              This account has a second factor. Enter the code from your authenticator app.
            </p>
          )}
        </div>
        {!askingForCode && <ErrorNotice error={signIn.error} title="Sign-in failed" />}
        <Button type="submit" variant="primary" busy={signIn.isPending} busyLabel="Signing in">
          {needsCode ? 'Verify and sign in' : 'Sign in'}
        </Button>
        {needsCode && (
          <Button
            variant="ghost"
            onClick={() => {
              setNeedsCode(false);
              signIn.reset();
            }}
          >
            Use another account
          </Button>
        )}
      </form>
    </AuthLayout>
  );
}
