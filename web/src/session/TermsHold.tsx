import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../api/client';
import { Button } from '../components/Button';
import { ErrorNotice } from '../components/ErrorNotice';
import { QueryState } from '../components/QueryState';
import { AuthLayout } from '../pages/auth/AuthLayout';
import { TermsText } from '../pages/terms/TermsText';
import { refreshSession, useSignOut } from './session';

/**
 * Shown instead of the console while a materially changed version of the terms waits for this person's
 * acceptance (the API refuses everything else meanwhile): what changed, the text, and one button to accept.
 */
export function TermsHold() {
  const queryClient = useQueryClient();
  const signOut = useSignOut();
  const mine = useQuery({ queryKey: ['me', 'terms'], queryFn: () => call(api.GET('/api/me/terms')) });
  const accept = useMutation({
    mutationFn: (termsId: string) => call(api.POST('/api/me/terms', { body: { termsId } })),
    onSuccess: () => refreshSession(queryClient),
  });
  const pending = mine.data?.pending;
  return (
    <AuthLayout
      title="The terms of service changed"
      footer={
        <p>
          Not now? Your data stays yours:{' '}
          <a href="/api/me/export" download="steward-export.json">
            download it
          </a>
          , or{' '}
          <Button variant="ghost" onClick={() => void signOut()}>
            sign out
          </Button>
        </p>
      }
    >
      <QueryState query={mine} loading="Loading the terms" failed="The terms could not be loaded" />
      {mine.data && !pending && (
        <Button variant="primary" onClick={() => void refreshSession(queryClient)}>
          Continue to Steward
        </Button>
      )}
      {pending && (
        <div className="stack">
          <p>
            To keep using Steward, read and accept the new version. <strong>What changed:</strong> {pending.changes}
          </p>
          <TermsText terms={pending} />
          <ErrorNotice error={accept.error} title="The terms were not accepted" />
          <Button
            variant="primary"
            busy={accept.isPending}
            busyLabel="Recording your acceptance"
            onClick={() => accept.mutate(pending.id)}
          >
            I accept the {pending.title}, version {pending.version}
          </Button>
        </div>
      )}
    </AuthLayout>
  );
}
