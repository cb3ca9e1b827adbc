import { hostname } from 'node:os';
import { TextDecoder } from 'node:util';
import type { Db } from '../../../db/database.js';
import type { Clock } from '../../../kernel/clock.js';
import { AppError, isAppError } from '../../../kernel/errors.js';
import { newId } from '../../../kernel/ids.js';
import type { Logger } from '../../../kernel/logger.js';
import type { ShellHandle } from '../../../remote/index.js';
import { auditActor, type Actor } from '../../actor.js';
import type { AuditService, RequestContext } from '../../audit/audit.service.js';
import { userInstruction, type Instruction } from '../../instruction.js';
import type { ServerGateway } from '../../servers/gateway.js';
import type { ServersService } from '../../servers/servers.service.js';
import type { Vault } from '../../vault/vault.service.js';
import type { GrantsService } from '../grants.service.js';
import { terminalStore, type TerminalSessionRow } from '../terminal.store.js';
import { chunkId, chunkSealContext, startRecorder, type CastHeader, type Recorder } from './recorder.js';

export interface TerminalDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly vault: Pick<Vault, 'seal'>;
  readonly audit: Pick<AuditService, 'record' | 'recordAlone'>;
  readonly servers: Pick<ServersService, 'requireServer' | 'rowById'>;
  readonly grants: Pick<GrantsService, 'requireActiveGrant' | 'statesOf'>;
  readonly gateway: () => Pick<ServerGateway, 'openShell'>;
  readonly config: { readonly terminalCheckMs: number; readonly recordingFlushMs: number };
}

/** How a terminal talks back to its client (the WebSocket route implements it). */
export interface TerminalIo {
  send(
    message:
      | { type: 'ready'; sessionId: string; server: { id: string; name: string } }
      | { type: 'output'; data: string }
      | { type: 'closed'; reason: string },
  ): void;
  close(reason: string): void;
}

export interface OpenTerminal {
  readonly orgId: string;
  readonly serverId: string;
  /** Staff name the grant they work under (customers on their own servers need none). */
  readonly grantId?: string;
  readonly cols: number;
  readonly rows: number;
  readonly term?: string;
}

export interface LiveTerminal {
  readonly sessionId: string;
  input(data: string): void;
  resize(cols: number, rows: number): void;
  close(reason: string): Promise<void>;
}

interface Live {
  readonly row: TerminalSessionRow;
  readonly shell: ShellHandle;
  readonly recorder: Recorder;
  readonly io: TerminalIo;
  ended: boolean;
}

export const processOwner = (): string => `${hostname()}#${process.pid}`;

/**
 * The web terminal: a PTY shell on a server, opened by Steward with the organisation's key (nobody sees key
 * material), recorded as it happens. Staff need an active grant with the terminal action; the grants behind
 * live sessions are re-read from the database every `terminalCheckMs`, so a revocation or expiry made by any
 * process ends the session within seconds.
 */
export function createTerminalService(deps: TerminalDeps) {
  const { db, clock } = deps;
  const live = new Map<string, Live>();
  let watchdog: NodeJS.Timeout | undefined;

  async function authorise(
    actor: Actor,
    input: OpenTerminal,
    ctx: RequestContext,
  ): Promise<{ server: NonNullable<Awaited<ReturnType<ServersService['rowById']>>>; instruction: Instruction }> {
    if (actor.kind === 'staff') {
      const server = await deps.servers.rowById(input.serverId);
      const { instruction } = await deps.grants.requireActiveGrant(
        actor,
        {
          kind: 'server',
          orgId: server?.org_id ?? input.orgId,
          serverId: input.serverId,
          ...(input.grantId ? { grantId: input.grantId } : {}),
        },
        'terminal',
        ctx,
      );
      return { server: server!, instruction };
    }
    const server = await deps.servers.requireServer(actor, input.orgId, input.serverId, ctx);
    return { server, instruction: userInstruction(actor.userId, ctx.requestId) };
  }

  async function end(session: Live, reason: string): Promise<void> {
    if (session.ended) return;
    session.ended = true;
    live.delete(session.row.id);
    if (live.size === 0 && watchdog) {
      clearInterval(watchdog);
      watchdog = undefined;
    }
    session.shell.close();
    await session.recorder.close();
    const finished = await terminalStore
      .finish(db, session.row.id, { status: 'ended', end_reason: reason, ended_at: clock.iso() })
      .catch(() => false);
    if (finished) {
      await deps.audit
        .recordAlone({
          action: 'terminal.closed',
          orgId: session.row.org_id,
          actor:
            session.row.user_kind === 'staff'
              ? { type: 'staff', id: session.row.user_id }
              : { type: 'user', id: session.row.user_id },
          target: { type: 'terminal_session', id: session.row.id },
          details: { reason, server: session.row.server_id, grant: session.row.grant_id },
        })
        .catch((err: unknown) =>
          deps.logger.error({ session: session.row.id, err: (err as Error).message }, 'terminal close not audited'),
        );
    }
    session.io.send({ type: 'closed', reason });
    session.io.close(reason);
  }

  /** Ends every live session whose grant is no longer active, as the database says now. */
  async function checkGrants(): Promise<void> {
    const withGrant = [...live.values()].filter((s) => s.row.grant_id !== null);
    if (withGrant.length === 0) return;
    const states = await deps.grants.statesOf(withGrant.map((s) => s.row.grant_id!));
    for (const s of withGrant) {
      const state = states.get(s.row.grant_id!) ?? 'revoked';
      if (state !== 'active') await end(s, `grant_${state}`);
    }
  }

  function watch(): void {
    watchdog ??= setInterval(() => {
      checkGrants().catch((err: unknown) =>
        deps.logger.error({ err: (err as Error).message }, 'terminal grant check failed'),
      );
    }, deps.config.terminalCheckMs);
  }

  /** Opens a recorded shell; refused (and nothing opened) when the recording cannot be written. */
  async function openSession(
    actor: Actor,
    input: OpenTerminal,
    io: TerminalIo,
    ctx: RequestContext,
  ): Promise<LiveTerminal> {
    const { server, instruction } = await authorise(actor, input, ctx);
    if (server.status !== 'ready')
      throw new AppError('STEWARD_CONFLICT', `${server.name} is ${server.status}; a terminal needs a ready server.`);
    const term = input.term ?? 'xterm-256color';
    const id = newId('term', clock.nowMs());
    const row: TerminalSessionRow = {
      id,
      org_id: server.org_id,
      server_id: server.id,
      user_id: actor.userId,
      user_kind: actor.kind,
      grant_id: instruction.type === 'staff_grant' ? instruction.id : null,
      term,
      cols: input.cols,
      rows: input.rows,
      status: 'live',
      end_reason: null,
      owner: processOwner(),
      started_at: clock.iso(),
      heartbeat_at: clock.iso(),
      ended_at: null,
      chunks: 1,
      bytes: 0,
    };
    const header: CastHeader = {
      version: 2,
      width: input.cols,
      height: input.rows,
      timestamp: Math.floor(clock.nowMs() / 1000),
      env: { TERM: term },
      title: `${server.name} (${id})`,
    };
    try {
      const sealed = await deps.vault.seal(chunkSealContext(row.org_id, chunkId(id, 0)), JSON.stringify(header));
      await db.transaction().execute(async (trx) => {
        await terminalStore.insertSession(trx, row);
        await terminalStore.insertChunk(trx, {
          id: chunkId(id, 0),
          session_id: id,
          org_id: row.org_id,
          seq: 0,
          data_sealed: sealed,
          at: clock.iso(),
        });
        await deps.audit.record(
          trx,
          {
            action: 'terminal.opened',
            orgId: row.org_id,
            actor: auditActor(actor),
            target: { type: 'terminal_session', id },
            details: { server: server.id, grant: row.grant_id, cols: input.cols, rows: input.rows },
          },
          ctx,
        );
      });
    } catch (err) {
      if (isAppError(err) && err.code !== 'STEWARD_DATABASE_UNAVAILABLE' && err.code !== 'STEWARD_INTERNAL') throw err;
      throw new AppError(
        'STEWARD_RECORDING_UNAVAILABLE',
        'The session could not be recorded, so it was not opened. Try again shortly.',
        undefined,
        { cause: err },
      );
    }
    let shell: ShellHandle;
    try {
      shell = await deps
        .gateway()
        .openShell(server, instruction, 'terminal', { cols: input.cols, rows: input.rows, term });
    } catch (err) {
      await terminalStore.finish(db, id, { status: 'ended', end_reason: 'connect_failed', ended_at: clock.iso() });
      await deps.audit.recordAlone(
        {
          action: 'terminal.closed',
          orgId: row.org_id,
          actor: auditActor(actor),
          target: { type: 'terminal_session', id },
          result: 'failed',
          details: { reason: 'connect_failed', code: isAppError(err) ? err.code : 'STEWARD_INTERNAL' },
        },
        ctx,
      );
      throw err;
    }
    // The recorder calls back only after a failed flush, long after `session` below is set.
    const recorder = startRecorder(
      { db, clock, logger: deps.logger, vault: deps.vault, flushMs: deps.config.recordingFlushMs },
      { id, orgId: row.org_id },
      () => void end(session, 'recording_failed'),
    );
    const session: Live = { row, shell, recorder, io, ended: false };
    live.set(id, session);
    watch();
    const decoder = new TextDecoder('utf-8');
    shell.stream.on('data', (chunk: Buffer) => {
      const text = decoder.decode(chunk, { stream: true });
      recorder.output(text);
      io.send({ type: 'output', data: text });
    });
    void shell.exited.then(() => end(session, 'exit'));
    io.send({ type: 'ready', sessionId: id, server: { id: server.id, name: server.name } });
    return {
      sessionId: id,
      input(data) {
        if (!session.ended) shell.stream.write(data);
      },
      resize(cols, rows) {
        if (session.ended) return;
        shell.resize(cols, rows);
        recorder.resize(cols, rows);
      },
      close: (reason) => end(session, reason),
    };
  }

  return {
    openSession,
    checkGrants,
    /** Live sessions in this process (for shutdown and tests). */
    liveCount: (): number => live.size,
    /** Ends every live session of this process (shutdown): each recording is completed. */
    async closeAll(reason = 'shutdown'): Promise<void> {
      await Promise.all([...live.values()].map((s) => end(s, reason)));
    },
  };
}

export type TerminalService = ReturnType<typeof createTerminalService>;
