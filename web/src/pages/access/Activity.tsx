import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { TerminalSession, TimelineEntry } from '../../api/types';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { PageHeader } from '../../components/PageHeader';
import { QueryTable } from '../../components/QueryTable';
import { Time } from '../../components/Time';
import { useOrg } from '../org/OrgScope';
import { useServerNames, useTerminalSessions, useTimeline } from './queries';
import { RecordingPanel } from './RecordingPanel';
import { REASON_LABELS } from './words';

const KIND_LABELS: Record<TimelineEntry['kind'], string> = {
  grant: 'Grant',
  support: 'Support',
  action: 'Action',
  terminal: 'Terminal',
  secret: 'Secret',
  certificate: 'Certificate',
  denied: 'Refused',
  login: 'Login',
  provider_call: 'Cloud call',
};

const SESSION_LOOK: Record<TerminalSession['status'], { label: string; tone: 'warn' | 'neutral' | 'danger' }> = {
  live: { label: 'Live', tone: 'warn' },
  ended: { label: 'Ended', tone: 'neutral' },
  incomplete: { label: 'Incomplete', tone: 'danger' },
};

/** Short words for a timeline entry's details (never values: the API records none). */
function describe(e: TimelineEntry): string {
  const d = e.details;
  const parts = ['operation', 'command', 'argv', 'reason', 'serverName', 'location']
    .filter((k) => d[k] !== undefined && d[k] !== null)
    .map((k) => `${k}: ${Array.isArray(d[k]) ? (d[k] as unknown[]).join(' ') : String(d[k])}`);
  return parts.join(' · ');
}

/** Everything staff did on the organisation's resources, live, with terminal sessions to play back. */
export function Activity() {
  const org = useOrg();
  const [params, setParams] = useSearchParams();
  const grantId = params.get('grant') ?? undefined;
  const timeline = useTimeline(org.id, grantId);
  const sessions = useTerminalSessions(org.id);
  const names = useServerNames(org.id);
  const [playing, setPlaying] = useState<TerminalSession | null>(null);
  const serverName = (id: string) => names.data?.get(id) ?? id;
  const sessionTitle = (s: TerminalSession) =>
    `${s.user.kind === 'staff' ? 'Staff session' : 'Session'} on ${serverName(s.serverId)}, ${new Date(s.startedAt).toLocaleString()}`;
  return (
    <>
      <PageHeader
        title="Staff activity"
        description="Every action the operator’s staff took on your servers and accounts, as it happens. Terminal sessions play back exactly as they were recorded."
      />
      {grantId && (
        <p className="notice notice-info section">
          Showing activity under grant <span className="mono">{grantId}</span>.{' '}
          <Button variant="ghost" onClick={() => setParams({})}>
            Show all activity
          </Button>
        </p>
      )}
      <section className="section" aria-labelledby="sessions">
        <h2 id="sessions">Terminal sessions</h2>
        <QueryTable
          query={sessions}
          loading="Loading terminal sessions"
          failed="Terminal sessions could not be loaded"
          select={(data) => data.filter((s) => !grantId || s.grantId === grantId)}
          caption="Terminal sessions"
          rowKey={(s) => s.id}
          empty="No terminal sessions."
          columns={[
            { header: 'Server', rowHeader: true, cell: (s) => serverName(s.serverId) },
            { header: 'Who', cell: (s) => (s.user.kind === 'staff' ? 'Staff' : 'Member') },
            {
              header: 'Status',
              cell: (s) => (
                <>
                  <Badge tone={SESSION_LOOK[s.status].tone}>{SESSION_LOOK[s.status].label}</Badge>
                  {s.endReason && <span className="muted small"> {s.endReason.replace(/_/g, ' ')}</span>}
                </>
              ),
            },
            { header: 'Started', cell: (s) => <Time iso={s.startedAt} /> },
            {
              header: 'Grant',
              cell: (s) =>
                s.grantId ? (
                  <Link className="mono small id-text" to={`/orgs/${org.id}/grants#${s.grantId}`}>
                    {s.grantId}
                  </Link>
                ) : (
                  '—'
                ),
            },
            {
              header: 'Recording',
              className: 'actions',
              cell: (s) => (
                <Button onClick={() => setPlaying(s)}>
                  Play
                  <span className="visually-hidden">
                    {' '}
                    the recording of the session on {serverName(s.serverId)} started{' '}
                    {new Date(s.startedAt).toLocaleString()}
                  </span>
                </Button>
              ),
            },
          ]}
        />
      </section>
      {playing && (
        <RecordingPanel
          key={playing.id}
          orgId={org.id}
          session={playing}
          title={sessionTitle(playing)}
          onClose={() => setPlaying(null)}
        />
      )}
      <section className="section" aria-labelledby="timeline">
        <h2 id="timeline">Timeline</h2>
        <QueryTable
          query={timeline}
          loading="Loading the timeline"
          failed="The timeline could not be loaded"
          caption="Staff activity, newest first"
          rowKey={(e) => e.id}
          empty="Staff have done nothing on your resources."
          columns={[
            { header: 'When', cell: (e) => <Time iso={e.at} /> },
            {
              header: 'What',
              rowHeader: true,
              cell: (e) => (
                <>
                  <Badge tone={e.kind === 'denied' ? 'danger' : 'neutral'}>{KIND_LABELS[e.kind]}</Badge>{' '}
                  <code>{e.event}</code>
                </>
              ),
            },
            { header: 'Staff member', cell: (e) => e.staff?.name ?? '—' },
            {
              header: 'Grant',
              cell: (e) =>
                e.grant ? (
                  <>
                    {REASON_LABELS[e.grant.reason as keyof typeof REASON_LABELS] ?? e.grant.reason}
                    <br />
                    <span className="mono small id-text">{e.grant.id}</span>
                  </>
                ) : (
                  '—'
                ),
            },
            {
              header: 'On',
              cell: (e) =>
                e.target ? (
                  e.target.type === 'server' ? (
                    serverName(e.target.id)
                  ) : (
                    <span className="small">
                      {e.target.type} <span className="mono id-text">{e.target.id}</span>
                    </span>
                  )
                ) : (
                  '—'
                ),
            },
            {
              header: 'Result',
              cell: (e) => (
                <>
                  {e.result}
                  {describe(e) && (
                    <>
                      <br />
                      <span className="muted small id-text">{describe(e)}</span>
                    </>
                  )}
                </>
              ),
            },
          ]}
        />
      </section>
    </>
  );
}
