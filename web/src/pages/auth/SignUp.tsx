import { useMutation, useQuery } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { Link, Navigate, useSearchParams } from 'react-router';
import { api, call } from '../../api/client';
import type { SignUpBody } from '../../api/types';
import { Button } from '../../components/Button';
import { TextField } from '../../components/TextField';
import { formErrors, formValue } from '../../components/formErrors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useSession } from '../../session/session';
import { AuthLayout } from './AuthLayout';

const FIELDS = ['name', 'email', 'password', 'orgName', 'phone'] as const;

/**
 * Asks for a new account and its first organisation. The answer is always "check your mail" (also for an address
 * that already has an account): the account exists once the mailed link is followed.
 */
export function SignUp() {
  const [params] = useSearchParams();
  const next = params.get('next');
  const session = useSession();
  const terms = useQuery({ queryKey: ['terms'], queryFn: () => call(api.GET('/api/terms')) });
  const current = terms.data?.terms ?? null;
  const signUp = useMutation({
    mutationFn: (body: SignUpBody) => call(api.POST('/api/auth/signup', { body })),
  });
  if (session.data && !signUp.isPending && !signUp.isSuccess) return <Navigate to="/" replace />;
  if (signUp.isSuccess)
    return (
      <AuthLayout
        title="Check your mail"
        footer={
          <p>
            Confirmed already? <Link to={`/signin${next ? `?next=${encodeURIComponent(next)}` : ''}`}>Sign in</Link>
          </p>
        }
      >
        <p role="status" className="notice notice-ok">
          {signUp.data.message}
        </p>
        <p>
          The link in the message works once. If nothing arrives within a few minutes, look in your spam folder, or sign
          up again.
        </p>
      </AuthLayout>
    );

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const phone = formValue(form, 'phone').trim();
    signUp.mutate({
      name: formValue(form, 'name'),
      email: formValue(form, 'email'),
      password: formValue(form, 'password'),
      orgName: formValue(form, 'orgName'),
      ...(phone ? { phone } : {}),
      ...(current && form.get('acceptTerms') === 'on' ? { acceptTerms: current.version } : {}),
    });
  };
  const errors = formErrors(signUp.error, FIELDS);

  return (
    <AuthLayout
      title="Create your account"
      footer={
        <p>
          Already have an account? <Link to={`/signin${next ? `?next=${encodeURIComponent(next)}` : ''}`}>Sign in</Link>
        </p>
      }
    >
      <form method="post" onSubmit={submit} className="stack">
        <TextField
          label="Your name"
          name="name"
          autoComplete="name"
          required
          maxLength={200}
          error={errors.field.name}
          autoFocus
        />
        <TextField
          label="E-mail address"
          name="email"
          type="email"
          autoComplete="email"
          required
          maxLength={254}
          error={errors.field.email}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
          maxLength={256}
          hint="At least 10 characters, and not one that is easy to guess: four or more unrelated words are easy to remember and hard to guess."
          error={errors.field.password}
        />
        <TextField
          label="Organisation name"
          name="orgName"
          autoComplete="organization"
          required
          maxLength={100}
          hint="Your company or team; you can invite others to it later."
          error={errors.field.orgName}
        />
        <TextField
          label="Phone (optional)"
          name="phone"
          type="tel"
          autoComplete="tel"
          hint="Used only to reach you about your servers."
          error={errors.field.phone}
        />
        {current && (
          <label className="choice">
            <input type="checkbox" name="acceptTerms" required /> I have read and accept the{' '}
            <Link to="/terms" target="_blank">
              {current.title}
            </Link>
            , version {current.version}.
          </label>
        )}
        <ErrorNotice error={errors.form} title="The account was not created" />
        <Button type="submit" variant="primary" busy={signUp.isPending} busyLabel="Sending the confirmation">
          Create account
        </Button>
      </form>
    </AuthLayout>
  );
}
