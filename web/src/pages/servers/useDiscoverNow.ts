import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, call } from '../../api/client';
import { orgKey } from '../org/queries';
import { useRun } from '../tasks/queries';

/**
 * Starts a discovery run of one server and follows it: while it runs the caller shows progress; when it ends,
 * the server's facts, history and found credentials are read again.
 */
export function useDiscoverNow(orgId: string, serverId: string) {
  const queryClient = useQueryClient();
  const [runId, setRunId] = useState<string | null>(null);
  const start = useMutation({
    mutationFn: () =>
      call(api.POST('/api/orgs/{orgId}/discovery', { params: { path: { orgId } }, body: { serverIds: [serverId] } })),
    onSuccess: (answer) => setRunId(answer.runId),
  });
  const run = useRun(orgId, runId);
  const finished = runId !== null && run.data !== undefined && run.data.status !== 'running';
  useEffect(() => {
    if (finished) void queryClient.invalidateQueries({ queryKey: orgKey(orgId, 'servers', serverId) });
  }, [finished, orgId, serverId, queryClient]);
  return {
    start: () => start.mutate(),
    error: start.error,
    starting: start.isPending,
    runId,
    running: runId !== null && !finished,
    outcome: finished ? run.data?.status : undefined,
  };
}
