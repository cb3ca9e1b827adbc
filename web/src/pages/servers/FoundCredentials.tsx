import { Badge } from '../../components/Badge';
import { EmptyState } from '../../components/EmptyState';
import { QueryTable } from '../../components/QueryTable';
import { Time } from '../../components/Time';
import { useOrg } from '../org/OrgScope';
import { useFoundSecrets } from './queries';
import { useServerPage } from './ServerLayout';

const CONTEXT_KEYS = ['user', 'host', 'port', 'database', 'section', 'owner'] as const;

/** Credentials found in configuration files: where, which setting, what for. Their values are sealed, never shown. */
export function FoundCredentials() {
  const org = useOrg();
  const { server } = useServerPage();
  const secrets = useFoundSecrets(org.id, server.id);
  return (
    <section aria-labelledby="found-title">
      <h2 id="found-title">Credentials found on the server</h2>
      <p className="muted">
        Discovery reads known configuration files (.env, wp-config.php, my.cnf, .pgpass, Redis and PHP settings). A
        credential found there is sealed in the vault the moment it is read; here you see only where it is and what it
        is for. Steward shows the value to nobody but staff working under a grant you gave with “Reveal stored secrets”,
        each time with a fresh one-time code, and every reveal is in your staff activity timeline.
      </p>
      <QueryTable
        query={secrets}
        loading="Loading found credentials"
        failed="Found credentials could not be loaded"
        caption={`Credentials found on ${server.name}`}
        rowKey={(s) => s.id}
        empty={
          <EmptyState title="None found">No credential was found in the configuration files Steward knows.</EmptyState>
        }
        columns={[
          {
            header: 'Where',
            rowHeader: true,
            cell: (s) => (
              <span className="mono small">
                {s.location}
                {typeof s.context.line === 'number' ? `:${s.context.line}` : ''}
              </span>
            ),
          },
          { header: 'Setting', cell: (s) => <code>{s.key}</code> },
          { header: 'Kind', cell: (s) => s.kind.replace(/_/g, ' ') },
          {
            header: 'For',
            cell: (s) => (
              <span className="small">
                {CONTEXT_KEYS.filter((k) => typeof s.context[k] === 'string')
                  .map((k) => `${k} ${String(s.context[k])}`)
                  .join(', ') || '—'}
              </span>
            ),
          },
          { header: 'Value', cell: () => <Badge>sealed</Badge> },
          {
            header: 'Seen',
            cell: (s) =>
              s.goneAt ? (
                <>
                  gone since <Time iso={s.goneAt} />
                </>
              ) : (
                <>
                  since <Time iso={s.firstSeenAt} />
                </>
              ),
          },
        ]}
      />
    </section>
  );
}
