import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import type { PolicyVersion } from '../../api/types';
import { Button } from '../../components/Button';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Time } from '../../components/Time';
import { privacyKey } from './queries';

/** A significant change to the privacy policy, shown until the person says they have read it. */
export function PolicyNotice({ notice }: { notice: PolicyVersion }) {
  const queryClient = useQueryClient();
  const acknowledge = useMutation({
    mutationFn: () => call(api.POST('/api/me/policy-notice/acknowledge', { body: { policyId: notice.id } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: privacyKey() }),
  });
  return (
    <section className="notice notice-warn section stack" aria-labelledby="policy-notice">
      <h2 id="policy-notice">
        The privacy policy changed: {notice.title} (version {notice.version})
      </h2>
      <p>
        Published <Time iso={notice.publishedAt} />. What changed:
      </p>
      <p className="message-body">{notice.changes}</p>
      <details>
        <summary>Read the whole policy</summary>
        <div className="message-body">{notice.body}</div>
      </details>
      <ErrorNotice error={acknowledge.error} title="That was not recorded" />
      <div className="row">
        <Button variant="primary" busy={acknowledge.isPending} busyLabel="Saving" onClick={() => acknowledge.mutate()}>
          I have read the changes
        </Button>
      </div>
    </section>
  );
}
