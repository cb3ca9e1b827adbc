import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { Button } from '../../components/Button';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useOrg } from '../org/OrgScope';
import { orgKey } from '../org/queries';
import type { Finding } from './model';

/** An owner acknowledges a finding (seen, still open) or closes it (dealt with); the outcome is announced. */
export function FindingActions({ finding, onDone }: { finding: Finding; onDone: (message: string) => void }) {
  const org = useOrg();
  const queryClient = useQueryClient();
  const path = { params: { path: { orgId: org.id, findingId: finding.id } } };
  const act = useMutation({
    mutationFn: (action: 'acknowledge' | 'close') =>
      call(
        action === 'acknowledge'
          ? api.POST('/api/orgs/{orgId}/findings/{findingId}/acknowledge', path)
          : api.POST('/api/orgs/{orgId}/findings/{findingId}/close', path),
      ),
    onSuccess: async (f, action) => {
      onDone(`Finding “${f.title}” ${action === 'acknowledge' ? 'acknowledged' : 'closed'}.`);
      await queryClient.invalidateQueries({ queryKey: orgKey(org.id, 'findings') });
      await queryClient.invalidateQueries({ queryKey: orgKey(org.id, 'incidents') });
    },
  });
  if (finding.status === 'closed') return null;
  return (
    <div className="row">
      {finding.status === 'open' && (
        <Button
          variant="ghost"
          onClick={() => act.mutate('acknowledge')}
          busy={act.isPending && act.variables === 'acknowledge'}
          busyLabel="Acknowledging"
          aria-label={`Acknowledge finding ${finding.title}`}
        >
          Acknowledge
        </Button>
      )}
      <Button
        variant="ghost"
        onClick={() => act.mutate('close')}
        busy={act.isPending && act.variables === 'close'}
        busyLabel="Closing"
        aria-label={`Close finding ${finding.title}`}
      >
        Close
      </Button>
      <ErrorNotice error={act.error} title="The finding was not changed" />
    </div>
  );
}
