import { useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import type { TerminalSession } from '../../api/types';
import { Button } from '../../components/Button';
import { QueryState } from '../../components/QueryState';
import { LazyCastPlayer } from '../../terminal/LazyCastPlayer';
import { parseCast } from '../../terminal/castPlayer';

/**
 * A session's recording, fetched when asked for and never cached (the API says no-store): a live session plays
 * what was recorded up to now, and "Load again" fetches the rest.
 */
export function RecordingPanel({
  orgId,
  session,
  title,
  onClose,
}: {
  orgId: string;
  session: TerminalSession;
  title: string;
  onClose: () => void;
}) {
  const recording = useQuery({
    queryKey: ['recording', orgId, session.id],
    gcTime: 0,
    staleTime: 0,
    queryFn: async () =>
      parseCast(
        (
          await call(
            api.GET('/api/orgs/{orgId}/terminal-sessions/{sessionId}/recording', {
              params: { path: { orgId, sessionId: session.id } },
            }),
          )
        ).cast,
      ),
  });
  return (
    <section className="section card stack" aria-labelledby="recording-title">
      <div className="section-head">
        <h2 id="recording-title">{title}</h2>
        <div className="row">
          <Button onClick={() => void recording.refetch()}>Load again</Button>
          <Button onClick={onClose}>Close the recording</Button>
        </div>
      </div>
      <QueryState query={recording} loading="Loading the recording" failed="The recording could not be loaded">
        {(data) => <LazyCastPlayer key={recording.dataUpdatedAt} cast={data} label={`Recording of ${title}`} />}
      </QueryState>
    </section>
  );
}
