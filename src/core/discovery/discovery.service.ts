import type { AutomationStanding } from '../standing.js';
import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, notFound } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import type { Logger } from '../../kernel/logger.js';
import { auditActor, type Actor } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import { userInstruction, type Instruction } from '../instruction.js';
import type { HookRunner } from '../hooks.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { ServersService } from '../servers/servers.service.js';
import type { KindRunner, ServerSelection, TasksService } from '../tasks/tasks.service.js';
import type { RunView } from '../tasks/tasks.view.js';
import type { Vault } from '../vault/vault.service.js';
import {
  APP_SECRET_FORMATS,
  diffFacts,
  discoveryScript,
  FACTS_SCHEMA_VERSION,
  INCREMENTAL_SECTIONS,
  newDiscoveryBoundary,
  parseDiscoveryOutput,
  summariseDiff,
  type Facts,
  type FoundSecret,
  type SecretKind,
} from './collect/index.js';
import { discoveryStore, type SnapshotRow } from './discovery.store.js';

export interface DiscoveryDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly vault: Pick<Vault, 'seal' | 'auditHash' | 'openText'>;
  readonly audit: Pick<AuditService, 'record' | 'recordAlone'>;
  readonly orgs: Pick<OrgsService, 'requireMember'>;
  readonly servers: Pick<ServersService, 'requireServer' | 'rowById'>;
  readonly tasks: Pick<TasksService, 'defineKind' | 'startKindRun'>;
  /** Runs `snapshotTaken` with each new snapshot (detection rules read facts and changes there). */
  readonly hooks: HookRunner;
  /** Schedules of a suspended organisation keep their settings but do not run (trust). */
  readonly standing?: Pick<AutomationStanding, 'suspendedAmong'>;
}

const SCRIPT_TIMEOUT_MS = 180_000;

/** Last run's fingerprints, when its facts can stand in for unchanged sections (same facts schema). */
function knownFingerprints(stored: string | null, previous: Facts | undefined): Record<string, string> {
  if (!stored || !previous || previous.schemaVersion !== FACTS_SCHEMA_VERSION || !previous.complete) return {};
  const parsed = JSON.parse(stored) as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const s of INCREMENTAL_SECTIONS) {
    const fp = parsed[s];
    if (typeof fp === 'string') out[s] = fp;
  }
  return out;
}
const MAX_OUTPUT = 32 * 1024 * 1024;

/** Whether the last run found credentials in application files (so an unchanged apps section needs them). */
function hadAppSecrets(previous: Facts): boolean {
  return previous.locations.configFiles.some((c) => APP_SECRET_FORMATS.includes(c.format) && c.secretKeys.length > 0);
}

/**
 * Self-discovery: one SSH login per run executes the collection script (sent over stdin), the output is parsed
 * and dropped, facts are kept as a snapshot with the changes since the last one, and credentials found in
 * configuration files are sealed into the vault with their location (the facts never hold them).
 */
export function createDiscoveryService(deps: DiscoveryDeps) {
  const { db, clock } = deps;

  async function storeSecrets(
    orgId: string,
    serverId: string,
    found: readonly FoundSecret[],
  ): Promise<{ added: number; changed: number; gone: number }> {
    const existing = await discoveryStore.secretsOf(db, orgId, serverId);
    const now = clock.iso();
    let added = 0;
    let changed = 0;
    const seen = new Set<string>();
    for (const f of found) {
      const place = `${f.location}\u0000${f.key}`;
      if (seen.has(place)) continue;
      seen.add(place);
      const hash = deps.vault.auditHash(`${place}\u0000${f.value.reveal()}`);
      const row = existing.find((e) => e.location === f.location && e.key === f.key);
      const id = row?.id ?? newId('cred', clock.nowMs());
      if (row && row.value_hash === hash) {
        await discoveryStore.updateSecret(db, id, { last_seen_at: now, gone_at: null });
        continue;
      }
      const sealed = await deps.vault.seal(
        { scope: orgId, table: 'discovered_secrets', column: 'value_sealed', row: id },
        f.value,
      );
      const context = JSON.stringify(f.context);
      if (row) {
        changed++;
        await discoveryStore.updateSecret(db, id, {
          value_sealed: sealed,
          value_hash: hash,
          kind: f.kind,
          context,
          last_seen_at: now,
          gone_at: null,
        });
      } else {
        added++;
        await discoveryStore.insertSecret(db, {
          id,
          org_id: orgId,
          server_id: serverId,
          location: f.location,
          key: f.key,
          kind: f.kind,
          context,
          value_sealed: sealed,
          value_hash: hash,
          first_seen_at: now,
          last_seen_at: now,
          gone_at: null,
        });
      }
    }
    let gone = 0;
    for (const e of existing) {
      if (!seen.has(`${e.location}\u0000${e.key}`) && e.gone_at === null) {
        gone++;
        await discoveryStore.updateSecret(db, e.id, { gone_at: now });
      }
    }
    return { added, changed, gone };
  }

  /**
   * The fingerprints to send and the snapshot they came from. Nothing of the previous facts is kept while the
   * script runs: with many servers discovered at once, each holding its last facts through the wait would cost
   * the node megabytes per server; they are read again by id once the output is in.
   */
  async function previousRun(serverId: string, full: boolean) {
    const previous = await discoveryStore.latest(db, serverId);
    if (!previous) return { snapshotId: null, known: {}, appSecrets: false };
    const facts = JSON.parse(previous.facts) as Facts;
    const known = full ? {} : knownFingerprints(previous.fingerprints, facts);
    return { snapshotId: previous.id, known, appSecrets: 'apps' in known && hadAppSecrets(facts) };
  }

  /**
   * The credentials the last run found in application files, opened from the vault. An unchanged apps section
   * reads no file, so these stand for what it would find: they are stored again as seen (not gone) and cut out
   * of this run's facts (a process argument or log line may hold one). The rows not gone are exactly the last
   * run's findings: each run marks every credential it did not find as gone.
   */
  async function previousAppSecrets(orgId: string, serverId: string): Promise<FoundSecret[]> {
    const out: FoundSecret[] = [];
    for (const r of await discoveryStore.secretsOf(db, orgId, serverId)) {
      if (r.gone_at !== null) continue;
      const context = JSON.parse(r.context) as FoundSecret['context'];
      if (!APP_SECRET_FORMATS.includes(context.format)) continue;
      const value = await deps.vault.openText(
        { scope: orgId, table: 'discovered_secrets', column: 'value_sealed', row: r.id },
        r.value_sealed,
      );
      out.push({ location: r.location, kind: r.kind as SecretKind, key: r.key, value, context });
    }
    return out;
  }

  /** One server's discovery, inside a run (the tasks engine gives it the login). */
  const runOne: KindRunner = async ({ session, server, runId, params, log }) => {
    const boundary = newDiscoveryBoundary();
    // Incremental unless asked for a full run: sections whose inputs still match last time's fingerprints
    // answer "unchanged" and keep last time's facts (docs/decisions/0012-incremental-discovery.md).
    const { snapshotId, known, appSecrets } = await previousRun(server.id, params.full === true);
    // The login's shell is started under sudo where it may (below), so the script itself elevates nothing.
    const script = discoveryScript({ boundary, known, elevate: 'never' });
    const privileged =
      server.username === 'root'
        ? ['sh', '-s']
        : ['sh', '-c', 'if sudo -n true 2>/dev/null; then exec sudo -n sh -s; else exec sh -s; fi'];
    log(
      params.full === true
        ? 'Collecting facts (one login, one script, full run)…'
        : 'Collecting facts (one login, one script)…',
    );
    const res = await session.exec(privileged, {
      stdin: script,
      timeoutMs: SCRIPT_TIMEOUT_MS,
      maxOutputBytes: MAX_OUTPUT,
    });
    if (res.stdoutTruncated)
      throw new AppError(
        'STEWARD_SSH_COMMAND_FAILED',
        'Discovery output was larger than Steward keeps; nothing was stored.',
      );
    // Nothing below refers to `res` again, so its output can be collected as soon as it is parsed.
    const exitCode = res.exitCode;
    const previous = snapshotId ? await discoveryStore.snapshot(db, server.org_id, snapshotId) : undefined;
    const previousFacts = previous ? (JSON.parse(previous.facts) as Facts) : undefined;
    const previousSecrets = appSecrets ? await previousAppSecrets(server.org_id, server.id) : [];
    // The raw output holds configuration files with credentials: parse it and let it go.
    const { facts, foundSecrets, hostCpuTicks, fingerprints, unchangedSections } = parseDiscoveryOutput(
      res.stdout,
      boundary,
      { now: clock.now(), previous: previousFacts, previousSecrets },
    );
    const changes = previousFacts ? diffFacts(previousFacts, facts) : [];
    const summary = previous ? summariseDiff(changes) : { total: 0, attention: 0, text: 'First discovery.' };
    const secrets = await storeSecrets(server.org_id, server.id, foundSecrets);
    const snapshot: SnapshotRow = {
      id: newId('snap', clock.nowMs()),
      org_id: server.org_id,
      server_id: server.id,
      run_id: runId,
      taken_at: clock.iso(),
      facts: JSON.stringify(facts),
      changes: JSON.stringify(changes),
      summary: summary.text,
      attention: summary.attention,
      fingerprints: JSON.stringify(fingerprints),
    };
    await db.transaction().execute(async (trx) => {
      await discoveryStore.insertSnapshot(trx, snapshot);
      await deps.audit.record(trx, {
        action: 'server.discovered',
        orgId: server.org_id,
        actor: { type: 'system' },
        target: { type: 'server', id: server.id },
        details: {
          snapshot: snapshot.id,
          run: runId,
          changes: summary.total,
          attention: summary.attention,
          secretsFound: foundSecrets.length,
          secretsAdded: secrets.added,
          secretsChanged: secrets.changed,
          complete: facts.complete,
        },
      });
    });
    log(
      `${facts.os.prettyName ?? 'unknown OS'}; ${facts.packages.length} packages, ${facts.applications.length} applications, ${facts.ports.length} listening ports, ${facts.users.length} users.`,
    );
    log(
      `Credentials found in configuration files: ${foundSecrets.length} (sealed; ${secrets.added} new, ${secrets.changed} changed).`,
    );
    log(`Changes since the last run: ${summary.text}`);
    // Clock ticks are USER_HZ, 100 per second on Linux.
    const steps = Object.entries(hostCpuTicks);
    if (steps.length > 0)
      log(
        `Host CPU: ${steps.reduce((a, [, t]) => a + t, 0) * 10} ms (${steps.map(([k, t]) => `${k} ${t * 10}`).join(', ')}).`,
      );
    if (unchangedSections.length > 0) log(`Unchanged since the last run: ${unchangedSections.join(', ')}.`);
    await deps.hooks
      .run('snapshotTaken', { orgId: server.org_id, serverId: server.id, facts, changes })
      .catch((err: unknown) =>
        deps.logger.error({ err: (err as Error).message, server: server.id }, 'snapshot hook failed'),
      );
    return { status: 'succeeded', steps: '[]', exit_code: exitCode, error: null };
  };
  deps.tasks.defineKind('discovery', runOne);

  /** `full`: every section runs whatever its fingerprint says (otherwise unchanged sections answer in a line). */
  function discover(
    orgId: string,
    sel: ServerSelection,
    instruction: Instruction,
    ctx: RequestContext,
    full = false,
  ): Promise<RunView> {
    const params = full ? { full: true } : {};
    return deps.tasks.startKindRun({ orgId, sel, kind: 'discovery', params, instruction, ctx });
  }

  async function latestFacts(actor: Actor, orgId: string, serverId: string, ctx: RequestContext) {
    await deps.servers.requireServer(actor, orgId, serverId, ctx);
    const snap = await discoveryStore.latest(db, serverId);
    if (!snap) throw notFound('A discovery snapshot of this server (run discovery first)');
    return {
      snapshotId: snap.id,
      takenAt: snap.taken_at,
      facts: JSON.parse(snap.facts) as Facts,
      summary: snap.summary,
    };
  }

  // Staff entry points: core/access checks the staff member's grant first, then reads through these
  const secretView = (r: Awaited<ReturnType<typeof discoveryStore.secretsOf>>[number]) => ({
    id: r.id,
    location: r.location,
    key: r.key,
    kind: r.kind,
    context: JSON.parse(r.context) as Record<string, unknown>,
    firstSeenAt: r.first_seen_at,
    lastSeenAt: r.last_seen_at,
    goneAt: r.gone_at,
  });
  const underGrant = {
    /** The latest facts of a server (no membership check: the caller authorised it). */
    async factsFor(orgId: string, serverId: string) {
      const snap = await discoveryStore.latest(db, serverId);
      if (!snap || snap.org_id !== orgId) throw notFound('A discovery snapshot of this server (run discovery first)');
      return {
        snapshotId: snap.id,
        takenAt: snap.taken_at,
        facts: JSON.parse(snap.facts) as Facts,
        summary: snap.summary,
      };
    },
    /** Found credentials of a server: where and what kind, never the value. */
    foundSecretsFor: async (orgId: string, serverId: string) =>
      (await discoveryStore.secretsOf(db, orgId, serverId)).map(secretView),
    /** Opens one found credential's value (the caller audits the reveal). */
    async openFoundSecret(orgId: string, serverId: string, secretId: string) {
      const row = (await discoveryStore.secretsOf(db, orgId, serverId)).find((r) => r.id === secretId);
      if (!row) throw notFound('The found credential');
      return {
        view: secretView(row),
        value: await deps.vault.openText(
          { scope: orgId, table: 'discovered_secrets', column: 'value_sealed', row: row.id },
          row.value_sealed,
        ),
      };
    },
  };

  return {
    underGrant,
    runOne,
    discover,
    latestFacts,
    async requestDiscovery(
      actor: Actor,
      orgId: string,
      sel: ServerSelection & { readonly full?: boolean },
      ctx: RequestContext,
    ): Promise<RunView> {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      const { full, ...servers } = sel;
      return discover(orgId, servers, userInstruction(actor.userId, ctx.requestId), ctx, full === true);
    },
    async history(actor: Actor, orgId: string, serverId: string, limit: number, ctx: RequestContext) {
      await deps.servers.requireServer(actor, orgId, serverId, ctx);
      return (await discoveryStore.history(db, orgId, serverId, limit)).map((r) => ({
        id: r.id,
        takenAt: r.taken_at,
        runId: r.run_id,
        summary: r.summary,
        attention: r.attention,
        changes: JSON.parse(r.changes) as ReturnType<typeof diffFacts>,
      }));
    },
    async snapshot(actor: Actor, orgId: string, serverId: string, snapshotId: string, ctx: RequestContext) {
      await deps.servers.requireServer(actor, orgId, serverId, ctx);
      const snap = await discoveryStore.snapshot(db, orgId, snapshotId);
      if (!snap || snap.server_id !== serverId) throw notFound('The snapshot');
      return {
        snapshotId: snap.id,
        takenAt: snap.taken_at,
        facts: JSON.parse(snap.facts) as Facts,
        summary: snap.summary,
        changes: JSON.parse(snap.changes) as ReturnType<typeof diffFacts>,
      };
    },
    /** Credentials found on the server: where and what kind, never the value. */
    async foundSecrets(actor: Actor, orgId: string, serverId: string, ctx: RequestContext) {
      await deps.servers.requireServer(actor, orgId, serverId, ctx);
      return (await discoveryStore.secretsOf(db, orgId, serverId)).map((r) => ({
        id: r.id,
        location: r.location,
        key: r.key,
        kind: r.kind,
        context: JSON.parse(r.context) as Record<string, unknown>,
        firstSeenAt: r.first_seen_at,
        lastSeenAt: r.last_seen_at,
        goneAt: r.gone_at,
      }));
    },
    /** A standing instruction: discover this server every `minutes`. */
    async setSchedule(actor: Actor, orgId: string, serverId: string, minutes: number, ctx: RequestContext) {
      await deps.servers.requireServer(actor, orgId, serverId, ctx);
      const next = new Date(clock.nowMs() + minutes * 60_000).toISOString();
      await db.transaction().execute(async (trx) => {
        await discoveryStore.upsertSchedule(trx, {
          server_id: serverId,
          org_id: orgId,
          interval_minutes: minutes,
          next_run_at: next,
          set_by: actor.userId,
          created_at: clock.iso(),
        });
        await deps.audit.record(
          trx,
          {
            action: 'discovery.scheduled',
            orgId,
            actor: auditActor(actor),
            target: { type: 'server', id: serverId },
            details: { everyMinutes: minutes },
          },
          ctx,
        );
      });
      return { serverId, everyMinutes: minutes, nextRunAt: next };
    },
    async clearSchedule(actor: Actor, orgId: string, serverId: string, ctx: RequestContext): Promise<void> {
      await deps.servers.requireServer(actor, orgId, serverId, ctx);
      await db.transaction().execute(async (trx) => {
        const res = await discoveryStore.deleteSchedule(trx, orgId, serverId);
        if (Number(res.numDeletedRows) === 0) throw notFound('A discovery schedule for this server');
        await deps.audit.record(
          trx,
          {
            action: 'discovery.unscheduled',
            orgId,
            actor: auditActor(actor),
            target: { type: 'server', id: serverId },
          },
          ctx,
        );
      });
    },
    async getSchedule(actor: Actor, orgId: string, serverId: string, ctx: RequestContext) {
      await deps.servers.requireServer(actor, orgId, serverId, ctx);
      const row = await discoveryStore.schedule(db, serverId);
      return row ? { serverId, everyMinutes: row.interval_minutes, nextRunAt: row.next_run_at } : null;
    },
    /** Starts the discoveries whose time has come; each schedule fires once per interval even with many workers. */
    async runDueSchedules(): Promise<number> {
      const now = clock.iso();
      let started = 0;
      const dueRows = await discoveryStore.due(db, now, 100);
      const suspended = (await deps.standing?.suspendedAmong(dueRows.map((d) => d.org_id))) ?? new Set<string>();
      for (const due of dueRows) {
        const next = new Date(
          Math.max(Date.parse(due.next_run_at) + due.interval_minutes * 60_000, clock.nowMs() + 1000),
        ).toISOString();
        if (!(await discoveryStore.claimSchedule(db, due.server_id, due.next_run_at, next))) continue;
        // Suspended: this slot passes (the schedule itself, its interval and who set it, stay as they are).
        if (suspended.has(due.org_id)) continue;
        const server = await deps.servers.rowById(due.server_id);
        if (!server || server.status !== 'ready') continue;
        await discover(
          due.org_id,
          { serverIds: [due.server_id] },
          { type: 'schedule', id: due.server_id, actorId: due.set_by },
          {},
        ).catch((err: unknown) =>
          deps.logger.warn({ server: due.server_id, err: (err as Error).message }, 'scheduled discovery not started'),
        );
        started++;
      }
      return started;
    },
  };
}

export type DiscoveryService = ReturnType<typeof createDiscoveryService>;
