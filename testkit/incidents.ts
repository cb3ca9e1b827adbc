import { newId } from '../src/kernel/ids.js';
import type { TestSteward } from './steward.js';

/**
 * An incident with one finding per server, written straight into the tables detection keeps (as a sample with a
 * critical finding would leave them, minus the grant detection would open itself). For tests of what may refer
 * to an incident: suspicious-activity grants, the incident pages.
 */
export async function plantIncident(
  s: Pick<TestSteward, 'core'>,
  input: {
    orgId: string;
    servers: readonly { id: string; name: string }[];
    status?: 'open' | 'acknowledged' | 'closed';
    title?: string;
  },
): Promise<string> {
  const at = new Date(s.core.clock.nowMs()).toISOString();
  const id = newId('inc');
  const title = input.title ?? 'New account with uid 0: toor';
  const closed = input.status === 'closed';
  await s.core.db
    .insertInto('incidents')
    .values({
      id,
      org_id: input.orgId,
      title,
      severity: 'critical',
      status: input.status ?? 'open',
      opened_at: at,
      updated_at: at,
      acknowledged_by: null,
      acknowledged_at: null,
      closed_by: closed ? 'system' : null,
      closed_at: closed ? at : null,
      grant_id: null,
      grant_note: null,
    })
    .execute();
  for (const server of input.servers)
    await s.core.db
      .insertInto('findings')
      .values({
        id: newId('fnd'),
        org_id: input.orgId,
        server_id: server.id,
        server_name: server.name,
        rule: 'privileged_account',
        key: `uid0:toor:${id}`,
        severity: 'critical',
        title,
        evidence: '{}',
        status: closed ? 'closed' : 'open',
        incident_id: id,
        occurrences: 1,
        first_seen_at: at,
        last_seen_at: at,
        acknowledged_by: null,
        acknowledged_at: null,
        closed_by: closed ? 'system' : null,
        closed_at: closed ? at : null,
      })
      .execute();
  return id;
}
