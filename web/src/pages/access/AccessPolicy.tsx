import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import type { SuspiciousApproval } from '../../api/types';
import { SelectField } from '../../components/SelectField';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Success } from '../../components/Success';
import { orgKey } from '../org/queries';

/**
 * Who approves staff access opened for suspicious activity: a second staff member (the default), or the
 * organisation's owners. Only owners may change it; everyone else reads it.
 */
export function AccessPolicy({ orgId, canChange }: { orgId: string; canChange: boolean }) {
  const queryClient = useQueryClient();
  const policy = useQuery({
    queryKey: orgKey(orgId, 'access-policy'),
    queryFn: () => call(api.GET('/api/orgs/{orgId}/access-policy', { params: { path: { orgId } } })),
  });
  const save = useMutation({
    mutationFn: (suspiciousApproval: SuspiciousApproval) =>
      call(api.PUT('/api/orgs/{orgId}/access-policy', { params: { path: { orgId } }, body: { suspiciousApproval } })),
    onSuccess: (data) => queryClient.setQueryData(orgKey(orgId, 'access-policy'), data),
  });
  return (
    <section className="section card stack" aria-labelledby="access-policy">
      <h2 id="access-policy">Access for suspicious activity</h2>
      <p className="muted">
        When Steward detects suspicious activity, staff may open a grant to look. You are told at once either way.
      </p>
      <ErrorNotice error={policy.error} title="The policy could not be loaded" />
      {policy.data && (
        <SelectField
          label="Who approves it"
          value={policy.data.suspiciousApproval}
          disabled={!canChange || save.isPending}
          hint={canChange ? undefined : 'Only owners change this.'}
          onChange={(event) => save.mutate(event.target.value === 'customer' ? 'customer' : 'second_staff')}
        >
          <option value="second_staff">A second staff member (staff can start at once)</option>
          <option value="customer">An owner of this organisation (nothing starts before you approve)</option>
        </SelectField>
      )}
      <ErrorNotice error={save.error} title="The policy was not changed" />
      {save.isSuccess && <Success>Saved.</Success>}
    </section>
  );
}
