import { createCore, type Core } from '../src/core/core.js';
import { openDatabase } from '../src/db/database.js';
import { systemClock } from '../src/kernel/clock.js';
import { loadConfig } from '../src/kernel/config.js';
import { createLogger } from '../src/kernel/logger.js';
import { newId } from '../src/kernel/ids.js';
import { Secret } from '../src/kernel/secret.js';

/** A host a benchmark registers: where it listens and the host key to pin. */
export interface SeedHost {
  readonly address: string;
  readonly port: number;
  readonly hostKey: string;
  /** The login; root when not given. */
  readonly user?: string;
}

/**
 * Registers hosts as ready servers of the organisation, with `key` as the organisation's SSH key, straight into the
 * store (benchmarks measure the work on servers, not enrolment). Returns the server ids in the hosts' order.
 */
export async function seedServers(
  core: Core,
  orgId: string,
  hosts: readonly SeedHost[],
  key: { privateKey: string; publicKey: string },
): Promise<string[]> {
  const now = new Date().toISOString();
  const sealed = await core.vault.seal(
    { scope: orgId, table: 'org_ssh_keys', column: 'private_sealed', row: orgId },
    new Secret(key.privateKey),
  );
  await core.db
    .insertInto('org_ssh_keys')
    .values({ org_id: orgId, public_key: key.publicKey, fingerprint: 'bench', private_sealed: sealed, created_at: now })
    .onConflict((oc) => oc.column('org_id').doNothing())
    .execute();
  const ids: string[] = [];
  for (const [i, h] of hosts.entries()) {
    const id = newId('srv');
    ids.push(id);
    await core.db
      .insertInto('servers')
      .values({
        id,
        org_id: orgId,
        name: `bench-${i}`,
        address: h.address,
        port: h.port,
        username: h.user ?? 'root',
        status: 'ready',
        status_reason: null,
        host_key: h.hostKey.split(' ').slice(0, 2).join(' '),
        host_key_fingerprint: null,
        host_key_source: 'provided',
        host_key_pinned_at: now,
        presented_fingerprint: null,
        login: 'org_key',
        bootstrap_kind: null,
        bootstrap_sealed: null,
        provider_account_id: null,
        provider_node_id: null,
        created_by: 'bench',
        created_at: now,
        updated_at: now,
        last_contact_at: null,
      })
      .execute();
  }
  return ids;
}

/**
 * A core in the bench's own process over a cluster's database and root key, started but running no jobs: it seals
 * the organisations' keys and registers servers (`seedServers`) the way the cluster would read them.
 */
export async function controlCore(env: Record<string, string>): Promise<Core> {
  const config = loadConfig(env);
  const core = createCore({
    config,
    database: openDatabase(config.database),
    clock: systemClock,
    logger: createLogger({ level: 'silent' }),
  });
  await core.start();
  return core;
}
