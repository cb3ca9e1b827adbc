import { useState } from 'react';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { LazyWebTerminal } from '../../terminal/LazyWebTerminal';
import { useOrg } from '../org/OrgScope';
import { useServerPage } from './ServerLayout';

/**
 * A shell on the organisation's own server, through Steward: it logs in with the organisation's key (no key
 * reaches the browser) and records the session, which shows under Staff activity like any other.
 */
export function ServerTerminal() {
  const org = useOrg();
  const { server } = useServerPage();
  const [open, setOpen] = useState(false);
  if (server.status !== 'ready')
    return <EmptyState title="The terminal opens on ready servers">This server is not ready yet.</EmptyState>;
  return (
    <section className="section stack" aria-labelledby="terminal-heading">
      <h2 id="terminal-heading">Terminal</h2>
      <p className="muted">
        Steward logs in for you and records the session; members of the organisation can play it back under Staff
        activity.
      </p>
      {open ? (
        <>
          <LazyWebTerminal orgId={org.id} serverId={server.id} serverName={server.name} />
          <div className="row">
            <Button onClick={() => setOpen(false)}>Close the terminal</Button>
          </div>
        </>
      ) : (
        <div className="row">
          <Button variant="primary" onClick={() => setOpen(true)}>
            Open a terminal on {server.name}
          </Button>
        </div>
      )}
    </section>
  );
}
