import type { Db } from '../../../db/database.js';
import type { Clock } from '../../../kernel/clock.js';
import { notFound } from '../../../kernel/errors.js';
import type { Logger } from '../../../kernel/logger.js';
import type { Actor } from '../../actor.js';
import type { AuditService, RequestContext } from '../../audit/audit.service.js';
import type { OrgsService } from '../../orgs/orgs.service.js';
import type { Vault } from '../../vault/vault.service.js';
import { terminalStore, type TerminalSessionRow } from '../terminal.store.js';
import { chunkSealContext } from './recorder.js';
import { processOwner } from './terminal.service.js';

export interface RecordingsDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly vault: Pick<Vault, 'openText'>;
  readonly audit: Pick<AuditService, 'recordAlone'>;
  readonly orgs: Pick<OrgsService, 'requireMember'>;
  readonly staleSessionMs: number;
}

export interface TerminalSessionView {
  readonly id: string;
  readonly serverId: string;
  readonly user: { readonly id: string; readonly kind: string };
  readonly grantId: string | null;
  readonly status: TerminalSessionRow['status'];
  readonly endReason: string | null;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly cols: number;
  readonly rows: number;
  readonly bytes: number;
}

export const sessionView = (r: TerminalSessionRow): TerminalSessionView => ({
  id: r.id,
  serverId: r.server_id,
  user: { id: r.user_id, kind: r.user_kind },
  grantId: r.grant_id,
  status: r.status,
  endReason: r.end_reason,
  startedAt: r.started_at,
  endedAt: r.ended_at,
  cols: r.cols,
  rows: r.rows,
  bytes: r.bytes,
});

/** Whether the process named by an owner tag (`host#pid`) is this machine's and no longer running. */
function ownerIsDead(owner: string): boolean {
  const [host, pidText] = owner.split('#');
  if (host !== processOwner().split('#')[0]) return false;
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Recorded terminal sessions for the organisation's members: the list, and each recording as an asciicast v2
 * file (the console plays it). Sessions cut by a crash are found at start-up (their process is gone) or once
 * they stop beating, marked incomplete and audited; what they recorded stays playable.
 */
export function createRecordingsService(deps: RecordingsDeps) {
  const { db } = deps;

  async function castOf(row: TerminalSessionRow): Promise<string> {
    const lines: string[] = [];
    for (const chunk of await terminalStore.chunks(db, row.id)) {
      const text = (await deps.vault.openText(chunkSealContext(row.org_id, chunk.id), chunk.data_sealed)).reveal();
      if (text.length > 0) lines.push(text);
    }
    return `${lines.join('\n')}\n`;
  }

  return {
    async listSessions(
      actor: Actor,
      orgId: string,
      filter: { serverId?: string; grantId?: string; limit: number },
      ctx: RequestContext,
    ): Promise<TerminalSessionView[]> {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      return (await terminalStore.sessionsOfOrg(db, orgId, filter)).map(sessionView);
    },
    async recording(
      actor: Actor,
      orgId: string,
      sessionId: string,
      ctx: RequestContext,
    ): Promise<{ session: TerminalSessionView; cast: string }> {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      const row = await terminalStore.session(db, orgId, sessionId);
      if (!row) throw notFound('The terminal session');
      return { session: sessionView(row), cast: await castOf(row) };
    },
    castOf,
    /** Marks sessions whose process died (or stopped beating) as incomplete, each audited once. */
    async recoverCrashed(): Promise<number> {
      const now = deps.clock.nowMs();
      let marked = 0;
      for (const row of await terminalStore.live(db)) {
        const stale = now - Date.parse(row.heartbeat_at) > deps.staleSessionMs;
        if (!stale && !ownerIsDead(row.owner)) continue;
        if (
          !(await terminalStore.finish(db, row.id, {
            status: 'incomplete',
            end_reason: 'process_crashed',
            ended_at: deps.clock.iso(),
          }))
        )
          continue;
        marked++;
        await deps.audit.recordAlone({
          action: 'session.recording_incomplete',
          orgId: row.org_id,
          actor: { type: 'system' },
          target: { type: 'terminal_session', id: row.id },
          result: 'failed',
          details: {
            server: row.server_id,
            grant: row.grant_id,
            owner: row.owner,
            lastWriteAt: row.heartbeat_at,
            chunks: row.chunks,
          },
        });
      }
      if (marked > 0) deps.logger.warn({ sessions: marked }, 'terminal sessions cut by a crash were marked incomplete');
      return marked;
    },
  };
}

export type RecordingsService = ReturnType<typeof createRecordingsService>;
