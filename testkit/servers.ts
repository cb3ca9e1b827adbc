import { newId } from '../src/kernel/ids.js';
import type { TestSteward } from './steward.js';

/**
 * Servers in an organisation's inventory as enrolment leaves them (status ready), without real hosts: for tests of
 * what Steward does with its records (billing, grants, suspensions) rather than on the servers themselves.
 */
export async function insertReadyServers(s: TestSteward, orgId: string, userId: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const now = s.core.clock.iso();
    const id = newId('srv', s.core.clock.nowMs());
    ids.push(id);
    await s.core.db
      .insertInto('servers')
      .values({
        id,
        org_id: orgId,
        name: `web-${ids.length}-${id.slice(-4)}`,
        address: `192.0.2.${10 + i}`,
        port: 22,
        username: 'steward',
        status: 'ready',
        status_reason: null,
        host_key: null,
        host_key_fingerprint: null,
        host_key_source: null,
        host_key_pinned_at: null,
        presented_fingerprint: null,
        login: 'org_key',
        bootstrap_kind: null,
        bootstrap_sealed: null,
        provider_account_id: null,
        provider_node_id: null,
        created_by: userId,
        created_at: now,
        updated_at: now,
        last_contact_at: null,
      })
      .execute();
  }
  return ids;
}
