/**
 * The sampling loop. Each tick claims the targets whose time has come (a conditional update, so any number of
 * workers sample each interval of each server once; the claim's lease keeps a server with the worker that holds
 * its kept login, and under that lease the sample's own write moves the schedule on instead of a claim) and reads
 * what their samples start from (held targets, servers, log cursors: one statement each per pass), then per
 * target runs ONE command over the gateway's kept login, parses it, stores the new log lines (with their cursors,
 * in one transaction), hands the security picture to detection, stores the points with the target's new state
 * (one transaction) and judges the alert rules. A server that does not answer is judged as unreachable.
 */
import { isAppError, publicMessage } from '../../kernel/errors.js';
import type { ResidentHandle, ResidentRequestOptions } from '../../remote/index.js';
import type { AutomationStanding } from '../standing.js';
import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { MonitoringConfig } from '../../kernel/config.js';
import type { Logger } from '../../kernel/logger.js';
import type { Observation as DetectionObservation } from '../detection/detection.service.js';
import type { DiskTrend, ProcessTrack, SecurityState, Thresholds } from '../detection/detection.types.js';
import { stateFromSample, trackProcesses } from '../detection/state.js';
import type { Instruction } from '../instruction.js';
import type { ServerGateway } from '../servers/gateway.js';
import type { ServersTable as ServerRow } from '../../db/schema.js';
import type { AlertingService } from './alerting.service.js';
import { firstOffset, followLog, sourceOf, type LogCursor } from './logs/follow.js';
import { logsStore, type CursorRow } from './logs/logs.store.js';
import { redactLogLine } from './logs/redact.js';
import type { MetricsStore } from './metrics.store.js';
import { onPhase, phaseOf } from './phase.js';
import { derive, type Counters, type TopProcess } from './sample/derive.js';
import { detached, newSampleMemo, parseNamedSockets, parseSample, type SampleMemo } from './sample/parse.js';
import { LOG_CANDIDATES, newSampleBoundary, residentSampler, sampleRequest, socketsRequest } from './sample/script.js';
import { mayListBare, nameSockets, namesOf, SOCKET_NAMES_TTL_MS, type SocketNames } from './sample/sockets.js';
import type { RawSample } from './sample/types.js';
import { targetsStore, type HeldSlot, type HeldTargetRow, type TargetRow } from './targets.store.js';

export interface SamplerDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: MonitoringConfig;
  readonly worker: string;
  readonly metrics: MetricsStore;
  readonly gateway: () => Pick<ServerGateway, 'residentKept' | 'releaseKept'>;
  readonly servers: { rowsById(ids: readonly string[]): Promise<ServerRow[]> };
  readonly alerting: Pick<AlertingService, 'evaluate'>;
  readonly detection:
    | { observe(orgId: string, server: { id: string; name: string }, o: DetectionObservation): Promise<unknown> }
    | undefined;
  readonly ownKeys: (orgId: string) => Promise<ReadonlySet<string>>;
  /** `address:port` of the organisation's servers (detection leaves Steward's own logins to them out). */
  readonly stewardPeers: (orgId: string) => Promise<ReadonlySet<string>>;
  readonly thresholds: Thresholds;
  /** Runs before a pass, at most every 30 s (organisations that monitor every server pick up new servers). */
  readonly beforeTick?: () => Promise<unknown>;
  /** A suspended organisation's servers are not sampled; their targets and settings stay (trust). */
  readonly standing?: Pick<AutomationStanding, 'suspendedAmong'>;
}

/** What a server's previous samples left for the next one to compare with. */
interface SecurityMemory {
  readonly state: SecurityState | null;
  readonly procs: readonly ProcessTrack[];
  readonly disks: readonly DiskTrend[];
  /**
   * When the auth log's first read (its recent history) was stored. Those lines teach which logins are usual;
   * they are not counted as attempts, since their real time is unknown (syslog stamps carry no year).
   */
  readonly authBaselineMs?: number;
}

/** A target as a sample starts from: read whole (a claim), or without the JSON its previous sample stored (held). */
type SampleTarget = HeldTargetRow & Partial<Pick<TargetRow, 'counters' | 'security'>>;

/** What a server's previous sample stored, parsed. */
interface Memory {
  readonly counters: Counters | null;
  readonly security: SecurityMemory;
}

/**
 * What the sampler keeps of each server it samples: the last parsed sections of its output, and the JSON its last
 * sample stored, under the `updated_at` that sample wrote. The sampler is the only writer of those columns, so
 * while the row's `updated_at` is that one they hold exactly this, and the sample does not read them. It keeps the
 * text, not the parsed objects: a string is one object for the collector to carry to the old generation and mark,
 * where the parsed memory is hundreds, and the parsed memory held strings cut from the sample's whole output
 * (decision 0009).
 */
interface Kept {
  readonly memo: SampleMemo;
  usedMs: number;
  stored?: { readonly stamp: string; readonly counters: string; readonly security: string };
}

/** What a claiming pass read for a sample it starts: the server's row (none: it is gone) and its log cursors. */
interface PassRead {
  readonly server: ServerRow | undefined;
  readonly cursors: readonly CursorRow[];
}

const NO_SECURITY: SecurityMemory = { state: null, procs: [], disks: [] };

/** Bytes of a log read the first time a server is sampled: its recent tail, enough to learn the usual logins. */
const BACKFILL_BYTES = 64 * 1024;
/** Samples of free space kept per disk for the "filling fast" rule (about an hour at the default interval). */
const DISK_TREND_POINTS = 60;
const SCRIPT_OUTPUT_SLACK = 4 * 1024 * 1024;
/** The longest a sample may take (its request, then a second one for sockets), with room to spare. */
const sampleBoundMs = (intervalMs: number) => Math.max(10_000, Math.min(intervalMs, 60_000)) + 30_000;
/** Thrown inside a store transaction to undo it when a held slot turned out to be another worker's. */
const SLOT_LOST = new Error('the slot was taken by another worker');
/** How often a worker looks for new servers of organisations that monitor every server (settings changes apply at once). */
const SYNC_EVERY_MS = 30_000;

const parseJson = <T>(text: string | null): T | null => {
  if (!text) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
};

function diskTrends(previous: readonly DiskTrend[], raw: RawSample, nowS: number): DiskTrend[] {
  const before = new Map(previous.map((d) => [d.mount, d]));
  return raw.disks.map((d) => {
    const points = [...(before.get(d.mount)?.points ?? []), [nowS, d.availableKb * 1024] as const].slice(
      -DISK_TREND_POINTS,
    );
    return { mount: d.mount, sizeBytes: (d.usedKb + d.availableKb) * 1024, points };
  });
}

/** The worst disk is the subject of `disk.used_pct`, so an alert says which mount is filling. */
function subjectsOf(raw: RawSample): Map<string, string> {
  const subjects = new Map<string, string>();
  let worst: { mount: string; pct: number } | null = null;
  for (const d of raw.disks) {
    const total = d.usedKb + d.availableKb;
    const pct = total > 0 ? d.usedKb / total : 0;
    if (!worst || pct > worst.pct) worst = { mount: d.mount, pct };
  }
  if (worst) subjects.set('disk.used_pct', worst.mount);
  return subjects;
}

export function createSampler(deps: SamplerDeps) {
  const { db, clock, config } = deps;
  /** The claiming pass running now, if any, and the samples started and not yet done (by server). */
  let passing: Promise<void> | null = null;
  const inFlight = new Map<string, Promise<unknown>>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let lastSyncMs = Number.NEGATIVE_INFINITY;

  const instructionOf = (t: Pick<SampleTarget, 'server_id' | 'set_by'>): Instruction => ({
    type: 'schedule',
    id: t.server_id,
    actorId: t.set_by,
  });

  async function followLogs(
    server: ServerRow,
    cursors: readonly CursorRow[],
    raw: RawSample,
    atIso: string,
  ): Promise<{ auth: string[]; authBaseline: boolean }> {
    const auth: string[] = [];
    let authBaseline = false;
    const fresh = raw.logs.stat.filter(
      (st) => (LOG_CANDIDATES as readonly string[]).includes(st.path) && !cursors.some((c) => c.path === st.path),
    );
    // What each followed log gave; a log that did not move (same file, same end, first read done) writes nothing.
    const moved = cursors.flatMap((c, i) => {
      const chunks = raw.logs.chunks.filter((x) => x.index === i);
      const notes = raw.logs.notes.filter((x) => x.index === i);
      const cursor: LogCursor = { path: c.path, inode: c.inode, offset: Number(c.offset) };
      const res = followLog(cursor, chunks, notes, config.logReadBytes);
      const still =
        res.lines.length === 0 &&
        (res.event ?? c.last_event) === c.last_event &&
        res.cursor.inode === c.inode &&
        res.cursor.offset === Number(c.offset) &&
        c.last_read_at !== null;
      return still ? [] : [{ c, res }];
    });
    if (moved.length === 0 && fresh.length === 0) return { auth, authBaseline }; // nothing new to store
    await db.transaction().execute(async (trx) => {
      for (const { c, res } of moved) {
        const lines = res.lines.map(redactLogLine);
        if (lines.length > 0)
          await logsStore.insertLines(
            trx,
            lines.map((line) => ({
              org_id: server.org_id,
              server_id: server.id,
              source: c.source,
              path: c.path,
              observed_at: atIso,
              line,
            })),
          );
        if (c.source === 'auth') {
          auth.push(...lines);
          if (c.last_read_at === null) authBaseline = true;
        }
        await logsStore.updateCursor(trx, server.id, c.path, {
          inode: res.cursor.inode,
          offset: res.cursor.offset,
          lines: Number(c.lines) + lines.length,
          last_event: res.event ?? c.last_event,
          last_read_at: atIso,
        });
      }
      // Logs found for the first time are followed from their recent tail on.
      for (const st of fresh) {
        await logsStore.insertCursor(trx, {
          server_id: server.id,
          path: st.path,
          org_id: server.org_id,
          source: sourceOf(st.path),
          inode: st.inode,
          offset: firstOffset(st.size, BACKFILL_BYTES),
          lines: 0,
          last_event: null,
          last_read_at: null,
          created_at: atIso,
        });
      }
    });
    return { auth, authBaseline };
  }

  /**
   * The sample's points and the target's new state, in one transaction. False, with nothing written, when the
   * sample was taken under a held slot that another worker has taken since (its lease ran out meanwhile).
   */
  async function store(
    server: ServerRow,
    points: readonly { metric: string; value: number }[],
    nowMs: number,
    target: {
      readonly patch: Partial<TargetRow>;
      readonly taken: { readonly late: boolean } | undefined;
      readonly held: HeldSlot | undefined;
    },
  ): Promise<boolean> {
    const at = target.patch.updated_at ?? clock.iso();
    const ids =
      points.length === 0
        ? new Map<string, number>()
        : await deps.metrics.seriesIds(
            db,
            server.org_id,
            server.id,
            points.map((p) => p.metric),
            at,
          );
    const ts = Math.floor(nowMs / 1000);
    const rows = points.flatMap((p) =>
      ids.has(p.metric) ? [{ seriesId: ids.get(p.metric)!, ts, value: p.value }] : [],
    );
    return db
      .transaction()
      .execute(async (trx) => {
        // The target first: a held slot lost to another worker ends the transaction before any point is written.
        if ((await targetsStore.updateTarget(trx, server.id, target.patch, target.taken, target.held)) === 0)
          throw SLOT_LOST;
        if (rows.length > 0) await deps.metrics.insertPoints(trx, rows);
        return true;
      })
      .catch((err: unknown) => {
        if (err === SLOT_LOST) return false;
        throw err;
      });
  }

  /** Moves a held slot's schedule on without a sample (the server is going, or the sample failed outright). */
  async function moveOn(serverId: string, held: HeldSlot): Promise<void> {
    await targetsStore.claim(db, { serverId, ...held, nowMs: clock.nowMs() });
  }

  async function detect(input: {
    readonly server: ServerRow;
    readonly memory: SecurityMemory;
    readonly raw: RawSample;
    readonly top: readonly TopProcess[];
    readonly logs: { auth: string[]; authBaseline: boolean };
    readonly nowMs: number;
  }): Promise<SecurityMemory> {
    const { server, memory, raw, top, logs, nowMs } = input;
    const after = stateFromSample(raw, memory.state);
    const procs = trackProcesses(memory.procs, top, nowMs, deps.thresholds);
    const disks = diskTrends(memory.disks, raw, Math.floor(nowMs / 1000));
    const authBaselineMs = logs.authBaseline ? nowMs : memory.authBaselineMs;
    const next: SecurityMemory = {
      state: after ?? memory.state,
      procs,
      disks,
      ...(authBaselineMs === undefined ? {} : { authBaselineMs }),
    };
    if (!deps.detection) return next;
    // The window is read only when new auth lines came: what it says changes only then (decision 0009).
    const sinceIso = new Date(nowMs - deps.thresholds.bruteForceWindowMinutes * 60_000).toISOString();
    const window =
      logs.auth.length === 0
        ? []
        : (await logsStore.authSince(db, server.id, sinceIso))
            .map((r) => ({ line: r.line, observedMs: Date.parse(r.observed_at) }))
            .filter((r) => authBaselineMs === undefined || r.observedMs > authBaselineMs);
    const obs: DetectionObservation = {
      nowMs,
      before: memory.state,
      after,
      ownAddresses: new Set(raw.ssh ? [raw.ssh.client] : []),
      ownKeys: await deps.ownKeys(server.org_id),
      processes: procs,
      poolConnections: raw.poolConnections,
      outboundConnections: raw.outboundConnections,
      stewardPeers: await deps.stewardPeers(server.org_id),
      disks,
      authWindow: window,
      authFresh: logs.auth.map((line) => ({ line, observedMs: nowMs })),
      authBaseline: logs.authBaseline,
    };
    try {
      await deps.detection.observe(server.org_id, { id: server.id, name: server.name }, obs);
    } catch (err) {
      deps.logger.error({ server: server.id, err: (err as Error).message }, 'detection failed on a sample');
    }
    return next;
  }

  /** Resident sampling shells that have been sent the script's body (decision 0009). */
  const primed = new WeakSet<ResidentHandle>();
  /** Each sampled server's sockets as last listed with their processes (sample/sockets.ts). */
  const socketNames = new Map<string, SocketNames>();
  /** What the sampler keeps of each server it samples (`Kept`). */
  const kept = new Map<string, Kept>();

  /** What the target's previous sample stored: as kept while the row is as that sample left it, else read. */
  async function memoryOf(target: SampleTarget, own: Kept): Promise<Memory> {
    const text =
      own.stored && own.stored.stamp === target.updated_at
        ? own.stored
        : target.security === undefined || target.counters === undefined
          ? await targetsStore.memoryOf(db, target.server_id)
          : target;
    return {
      counters: parseJson<Counters>(text?.counters ?? null),
      security: parseJson<SecurityMemory>(text?.security ?? null) ?? NO_SECURITY,
    };
  }

  /**
   * The sample's sockets with their processes: a bare listing's from what Steward knows, or, when one is new,
   * from a second request in the same sample. When that request fails, the bare listing as it came (its
   * processes unknown), and the next sample lists them with processes.
   */
  async function named(server: ServerRow, target: SampleTarget, raw: RawSample): Promise<RawSample> {
    if (raw.socketsNamed) {
      socketNames.set(server.id, namesOf(raw, clock.nowMs(), socketNames.get(server.id)));
      return raw;
    }
    const known = socketNames.get(server.id);
    const fromMemory = known && nameSockets(raw, known);
    if (fromMemory) return { ...raw, ...fromMemory };
    socketNames.delete(server.id);
    const boundary = newSampleBoundary();
    const { request, end } = socketsRequest(boundary);
    const opts = { endPrefix: end, timeoutMs: 10_000, maxOutputBytes: SCRIPT_OUTPUT_SLACK };
    const again = await ask(server, target, request, opts).then(
      (out) => detached(parseNamedSockets(out, boundary)),
      (err: unknown) => {
        deps.logger.warn({ server: server.id, err: publicMessage(err) }, 'listing sockets with processes failed');
        return null;
      },
    );
    if (!again) return raw;
    socketNames.set(server.id, namesOf({ ...raw, ...again }, clock.nowMs()));
    return { ...raw, ...again };
  }

  /**
   * One sample's request on the server's resident shell (started, and sent the body, when there is none), and the
   * script's output. A shell that had answered before and has died since (its connection dropped) is replaced once.
   */
  async function ask(server: ServerRow, target: SampleTarget, request: string, opts: ResidentRequestOptions) {
    const { argv, prelude } = residentSampler({ elevate: server.username !== 'root' });
    for (let attempt = 0; ; attempt++) {
      const shell = await deps.gateway().residentKept({
        server,
        instruction: instructionOf(target),
        operation: 'monitoring.sample',
        argv,
        idleMs: Math.max(config.loginIdleMs, target.interval_seconds * 2000),
      });
      const reused = primed.has(shell);
      primed.add(shell);
      try {
        const answer = await shell.request(reused ? request : prelude + request, opts);
        const status = Number(answer.endRest);
        if (status > 2) throw new Error(`the sampling script ended with status ${answer.endRest.slice(0, 20)}`);
        return answer.stdout.toString('utf8');
      } catch (err) {
        if (!(reused && attempt === 0 && isAppError(err) && err.code === 'STEWARD_SSH_UNREACHABLE')) throw err;
      }
    }
  }

  /**
   * One sample of one server (claimed already, or `held` under this worker's lease), from what its pass read for it.
   * Never throws: a failure is the server's state, not the loop's. The sample is counted taken, and late if it
   * ended after `dueBy` (the end of its interval, epoch ms).
   */
  async function sampleOne(
    target: SampleTarget,
    dueBy: number,
    held: HeldSlot | undefined,
    read: PassRead,
  ): Promise<'ok' | 'unreachable' | 'skipped'> {
    const taken = () => ({ late: clock.nowMs() > dueBy });
    const { server, cursors } = read;
    if (!server || server.status === 'removing' || server.status === 'remove_failed' || server.status === 'enrolling') {
      if (held) await moveOn(target.server_id, held);
      return 'skipped';
    }
    const started = clock.nowMs();
    const atIso = clock.iso();
    const integrity =
      target.integrity_at_ms === null || started - Number(target.integrity_at_ms) >= config.integrityEveryMs;
    const boundary = newSampleBoundary();
    const own = kept.get(server.id) ?? { memo: newSampleMemo(), usedMs: 0 };
    own.usedMs = started;
    kept.set(server.id, own);
    let raw: RawSample;
    try {
      const { request, end } = sampleRequest({
        boundary,
        integrity,
        logs: cursors.map((c) => ({ path: c.path, inode: c.inode, offset: Number(c.offset) })),
        maxLogBytes: config.logReadBytes,
        bareSockets: mayListBare(socketNames.get(server.id), started),
      });
      const stdout = await ask(server, target, request, {
        endPrefix: end,
        timeoutMs: Math.max(10_000, Math.min(target.interval_seconds * 1000, 60_000)),
        maxOutputBytes: cursors.length * config.logReadBytes * 2 + SCRIPT_OUTPUT_SLACK,
      });
      raw = parseSample(stdout, boundary, own.memo);
      if (!raw.complete && raw.cpu.total === null) throw new Error('the sampling script gave no usable output');
      raw = await named(server, target, raw);
    } catch (err) {
      const reason = publicMessage(err).slice(0, 300);
      const written = await targetsStore.updateTarget(
        db,
        server.id,
        { last_sample_at: atIso, last_error: reason, failures: target.failures + 1, updated_at: atIso },
        taken(),
        held,
      );
      if (written === 0) return 'skipped';
      await deps.alerting
        .evaluate(server.org_id, server, { kind: 'unreachable', reason })
        .catch((e: unknown) =>
          deps.logger.error({ server: server.id, err: (e as Error).message }, 'alert evaluation failed'),
        );
      return 'unreachable';
    }
    const nowMs = clock.nowMs();
    const memory = await memoryOf(target, own);
    const { points, counters, top } = derive(raw, memory.counters, nowMs);
    // Output cut short may end inside a log's bytes: its cursors stay where they were, and the next sample reads again.
    const logs = raw.complete ? await followLogs(server, cursors, raw, atIso) : { auth: [], authBaseline: false };
    const security = await detect({ server, memory: memory.security, raw, top, logs, nowMs });
    const latest = {
      at: atIso,
      values: Object.fromEntries(points.filter((p) => !p.metric.includes(':')).map((p) => [p.metric, p.value])),
      top: top
        .slice(0, 5)
        .map((p) => ({ pid: p.pid, user: p.user, command: p.command, cpuPercent: p.cpuPercent, rssKb: p.rssKb })),
    };
    const text = { counters: JSON.stringify(counters), security: JSON.stringify(security) };
    const stored = await store(server, points, nowMs, {
      held,
      patch: {
        ...text,
        latest: JSON.stringify(latest),
        integrity_at_ms: integrity && raw.integrity ? nowMs : target.integrity_at_ms,
        last_sample_at: atIso,
        last_ok_at: atIso,
        last_error: null,
        failures: 0,
        updated_at: atIso,
      },
      taken: taken(),
    });
    if (!stored) {
      own.stored = undefined;
      return 'skipped';
    }
    own.stored = { stamp: atIso, ...text };
    const values = new Map(points.map((p) => [p.metric, p.value]));
    await deps.alerting
      .evaluate(server.org_id, server, { kind: 'sample', values, subjects: subjectsOf(raw) })
      .catch((e: unknown) =>
        deps.logger.error({ server: server.id, err: (e as Error).message }, 'alert evaluation failed'),
      );
    return 'ok';
  }

  /**
   * One claiming pass: takes the due targets this worker has room for (`concurrency` samples in flight at most)
   * and starts their samples without waiting for them, so one slow server never holds up the others' schedule.
   * Each claim moves the server to its next interval on its own rhythm; intervals that passed with no sample are
   * counted as due and missed (never silently dropped). Returns the samples it started.
   */
  async function claimPass(): Promise<Promise<'ok' | 'unreachable' | 'skipped'>[]> {
    const nowMs = clock.nowMs();
    if (nowMs - lastSyncMs >= SYNC_EVERY_MS) {
      lastSyncMs = nowMs;
      for (const [id, n] of socketNames) if (nowMs - n.atMs > 5 * SOCKET_NAMES_TTL_MS) socketNames.delete(id);
      for (const [id, m] of kept) if (nowMs - m.usedMs > 5 * SOCKET_NAMES_TTL_MS) kept.delete(id);
      await deps
        .beforeTick?.()
        .catch((err: unknown) => deps.logger.warn({ err: (err as Error).message }, 'monitoring target sync failed'));
    }
    const room = config.concurrency - inFlight.size;
    if (room <= 0) return [];
    const dueRows = await targetsStore.due(db, nowMs, room * 4, deps.worker);
    const suspended = (await deps.standing?.suspendedAmong(dueRows.map((d) => d.org_id))) ?? new Set<string>();
    const started: Promise<'ok' | 'unreachable' | 'skipped'>[] = [];
    const toStart: { row: SampleTarget; dueBy: number; held: HeldSlot | undefined }[] = [];
    // Held slots are read all at once (one statement per pass rather than one per sample); a slot another worker
    // took since the due list was read is told apart below by its schedule, as when read one by one.
    const heldRows = await targetsStore.heldTargets(
      db,
      dueRows.filter((d) => d.owner === deps.worker && !inFlight.has(d.server_id)).map((d) => d.server_id),
    );
    for (const due of dueRows) {
      if (toStart.length >= room) break;
      if (inFlight.has(due.server_id)) continue;
      const interval = due.interval_seconds * 1000;
      const missed = Math.max(0, Math.floor((nowMs - Number(due.next_run_ms)) / interval));
      const slot = Number(due.next_run_ms) + missed * interval;
      const next = onPhase(slot, interval, phaseOf(due.server_id, interval));
      const lease = nowMs + Math.max(config.loginIdleMs, interval * 3);
      // Suspended: the interval passes unsampled and uncounted (claimed, so no other worker takes it).
      const paused = suspended.has(due.org_id);
      const expectedNext = Number(due.next_run_ms);
      // Under its own lease, with time to spare for a whole sample, this worker is the only one that may take the
      // server: no claim is written, and the sample's own write moves the schedule on (decision 0009).
      const held: HeldSlot | undefined =
        !paused &&
        due.owner === deps.worker &&
        due.lease_until_ms !== null &&
        Number(due.lease_until_ms) - nowMs > sampleBoundMs(interval)
          ? { worker: deps.worker, expectedNext, next, missed, leaseUntil: lease }
          : undefined;
      const row: SampleTarget | undefined = held
        ? heldRows.get(due.server_id)
        : await targetsStore.claim(db, {
            serverId: due.server_id,
            expectedNext,
            next,
            worker: deps.worker,
            nowMs,
            leaseUntil: lease,
            missed: paused ? null : missed,
          });
      // A held slot read after its sample moved it on (the due list was read before) is not taken twice.
      if (!row || paused || (held && Number(row.next_run_ms) !== expectedNext)) continue;
      toStart.push({ row, dueBy: slot + interval, held });
    }
    // The servers and log cursors of every sample this pass starts, also read at once.
    const ids = toStart.map((t) => t.row.server_id);
    const [servers, cursors] = await Promise.all([deps.servers.rowsById(ids), logsStore.cursorsOfServers(db, ids)]);
    const serverOf = new Map(servers.map((r) => [r.id, r]));
    for (const { row, dueBy, held } of toStart) {
      const read = { server: serverOf.get(row.server_id), cursors: cursors.get(row.server_id) ?? [] };
      const sample = sampleOne(row, dueBy, held, read)
        .catch(async (err: unknown) => {
          deps.logger.error({ server: row.server_id, err: (err as Error).message }, 'sample failed');
          if (held) await moveOn(row.server_id, held).catch(() => undefined);
          return 'skipped' as const;
        })
        .finally(() => inFlight.delete(row.server_id));
      inFlight.set(row.server_id, sample);
      started.push(sample);
    }
    return started;
  }

  async function settle(): Promise<void> {
    while (passing) await passing.catch(() => undefined);
    await Promise.all([...inFlight.values()]);
  }

  return {
    /**
     * The worker role: a claiming pass every `tickMs` on this worker. Each worker looks for itself (rather than
     * through the cluster scheduler, which would give each slot to one worker): the per-server claim and lease
     * are what spread servers over workers and keep each with the worker that holds its login.
     */
    start(tickMs: number): void {
      if (timer || stopped) return;
      timer = setInterval(() => {
        if (passing) return; // a claiming pass still running (not the samples it started): this one is skipped
        passing = claimPass()
          .then(() => undefined)
          .catch((err: unknown) => deps.logger.error({ err: (err as Error).message }, 'monitoring pass failed'))
          .finally(() => (passing = null));
      }, tickMs);
      timer.unref();
    },
    /** Stops: waits for the samples in flight, then gives this worker's servers up so another takes them at once. */
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await settle();
      await targetsStore.releaseOwned(db, deps.worker);
    },
    /**
     * One pass, waiting for its samples; returns how many servers were sampled. What is already in flight is
     * waited for first, so a caller sees everything due by now sampled when this resolves.
     */
    async tick(): Promise<number> {
      await settle();
      if (stopped) return 0;
      const pass = claimPass();
      passing = pass.then(() => undefined);
      try {
        const results = await Promise.all(await pass);
        return results.filter((r) => r !== 'skipped').length;
      } finally {
        passing = null;
      }
    },
    /** Samples due, taken, late and missed, summed over servers (all, or one organisation's). */
    scheduleTotals: (orgId?: string) => targetsStore.scheduleTotals(db, orgId),
  };
}

export type Sampler = ReturnType<typeof createSampler>;
