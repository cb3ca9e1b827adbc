/**
 * Runs backups and restores (jobs). A capture streams from the server's own login straight into restic's stdin:
 * nothing is staged on the customer's disk or held whole in memory (the SSH channel pauses while restic is busy).
 * restic's stdin is closed only after the server's command has exited 0 and the dump ends as complete dumps end,
 * so a capture that broke never becomes a restore point; a failure kills restic before it can write one.
 */
import { PassThrough, Writable } from 'node:stream';
import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, isAppError, type ErrorCode } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import { secret, type Secret } from '../../kernel/secret.js';
import { ExecError, type Argv, type RemoteSession } from '../../remote/index.js';
import type { DiscoveryService } from '../discovery/discovery.service.js';
import type { Instruction } from '../instruction.js';
import type { ServerGateway } from '../servers/gateway.js';
import type { ServersService } from '../servers/servers.service.js';
import type { ServerRecord as ServerRow } from '../servers/servers.service.js';
import type { Vault } from '../vault/vault.service.js';
import { entryOf, forgetArgs, optionFilePasswordLine } from './backups.rules.js';
import { backupsStore, type PlanRow, type RepositoryRow, type RunRow } from './backups.store.js';
import type { KeepRules, PlannedChange, RestoreInput } from './backups.types.js';
import { dumpArgv, listArgv, restoreDbArgv, tablesArgv, tarArgv, untarArgv, type DbAccess } from './capture.js';
import type { Repositories } from './repositories.js';
import { explainFailure, type Restic, type ResticProcess, type ResticResult, type ResticTarget } from './restic.js';
import { tarLister } from './tar-list.js';

export interface RunnerDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly restic: Restic;
  readonly repositories: Pick<Repositories, 'password' | 'targetOf' | 'initialise'>;
  readonly gateway: () => Pick<ServerGateway, 'withServer'>;
  readonly servers: Pick<ServersService, 'rowById'>;
  readonly discovery: Pick<DiscoveryService, 'underGrant'>;
  readonly vault: Pick<Vault, 'openText'>;
  /** A backup or restore that moves no bytes for this long is stopped (the target or the server went away). */
  readonly stallMs: number;
}

/**
 * Calls `onStall` once when `touch` has not been called for `ms`. restic retries a target that stopped answering
 * for many minutes, and an SSH channel to a frozen host can stay open for ever: nothing else would end the run.
 */
function stallWatch(ms: number, onStall: () => void) {
  let last = Date.now();
  let fired = false;
  const timer = setInterval(
    () => {
      if (fired || Date.now() - last <= ms) return;
      fired = true;
      onStall();
    },
    Math.min(1_000, Math.max(100, Math.floor(ms / 4))),
  );
  timer.unref();
  return {
    touch: () => void (last = Date.now()),
    stop: () => clearInterval(timer),
    get fired() {
      return fired;
    },
  };
}

const stalledTarget = (seconds: number, what: string) =>
  new AppError(
    'STEWARD_BACKUP_TARGET_UNREACHABLE',
    `${what} stopped: the backup target stopped answering (nothing moved for ${seconds} s). Check that the SFTP host or bucket is up and reachable, then run it again.`,
  );

/** Longest a capture or restore may stream. */
const STREAM_TIMEOUT_MS = 12 * 3_600_000;
const PROGRESS_EVERY_MS = 2_000;
const DRY_RUN_LIST_LIMIT = 2_000;

export interface BackupOutcome {
  readonly snapshotId: string;
  readonly bytesRead: number;
  readonly bytesAdded: number;
  readonly durationMs: number;
  readonly forgotten: string[];
  readonly storedBytes: number | null;
  /** tar's "a file changed as it was read" (the archive is whole; the file is as it was at some moment). */
  readonly warning: string | null;
}

export function createRunner(deps: RunnerDeps) {
  const { db, clock } = deps;

  /** Records progress at most every few seconds (one row update). */
  function progressWriter(runId: string) {
    let last = 0;
    return (progress: Record<string, unknown>, force = false) => {
      const now = clock.nowMs();
      if (!force && now - last < PROGRESS_EVERY_MS) return;
      last = now;
      void backupsStore.updateRun(db, runId, { progress: JSON.stringify(progress) }).catch(() => undefined);
    };
  }

  /** How the plan reaches its database on `server`, and the credential line it sends first on stdin. */
  async function accessFor(plan: PlanRow, server: ServerRow): Promise<{ access: DbAccess; stdin?: Secret<string> }> {
    const base = { kind: plan.kind as 'mysql' | 'postgresql', database: plan.database ?? '' };
    // Another server than the plan's: its own login's access (the plan's credentials are for its server).
    if (plan.db_auth === 'login' || plan.db_auth === null || server.id !== plan.server_id)
      return { access: { ...base, mode: 'login', user: null } };
    let password: Secret<string>;
    if (plan.db_auth === 'found') {
      const found = await deps.discovery.underGrant.openFoundSecret(
        plan.org_id,
        plan.server_id,
        plan.db_secret_id ?? '',
      );
      password = found.value;
    } else {
      password = await deps.vault.openText(
        { scope: plan.org_id, table: 'backup_plans', column: 'db_password_sealed', row: plan.id },
        plan.db_password_sealed ?? '',
      );
    }
    const line = plan.kind === 'mysql' ? optionFilePasswordLine(password.reveal()) : password.reveal();
    return { access: { ...base, mode: 'password', user: plan.db_user }, stdin: secret(`${line}\n`) };
  }

  /** Turns a failed server command into what the customer should know. */
  function captureError(err: unknown, what: string): AppError {
    if (err instanceof ExecError) {
      const said = err.stderr.trim().split('\n').slice(-3).join(' ').slice(0, 500);
      if (
        /Access denied for user|password authentication failed|authentication failed|role .* does not exist|no database credential/i.test(
          said,
        )
      )
        return new AppError(
          'STEWARD_BACKUP_DATABASE_REFUSED',
          `${what}: the database refused the plan's credentials. Check the account and password in the plan. The server said: ${said}`,
        );
      return new AppError(
        'STEWARD_BACKUP_CAPTURE_FAILED',
        `${what} on the server failed (exit ${err.exitCode ?? err.signal}): ${said}`,
      );
    }
    if (isAppError(err)) return err;
    return new AppError('STEWARD_BACKUP_CAPTURE_FAILED', `${what} failed: ${(err as Error).message}`);
  }

  const complete = (kind: PlanRow['kind'], tail: string): boolean =>
    kind === 'files' || /-- Dump completed|-- PostgreSQL database dump complete/.test(tail);

  /** Removes snapshots an interrupted attempt of this run may have left (they are not restore points). */
  async function forgetRunLeftovers(target: ResticTarget, pw: Secret<string>, runId: string): Promise<void> {
    await deps.restic.run(target, pw, ['unlock']).catch(() => undefined);
    const listed = await deps.restic.run(target, pw, ['snapshots', '--json', '--tag', `run=${runId}`]);
    const ids = (JSON.parse(listed.stdout || '[]') as { id: string }[]).map((s) => s.id);
    if (ids.length > 0) await deps.restic.run(target, pw, ['forget', ...ids]);
  }

  async function backup(opts: {
    run: RunRow;
    plan: PlanRow;
    repo: RepositoryRow;
    server: ServerRow;
    instruction: Instruction;
    signal: AbortSignal;
  }): Promise<BackupOutcome> {
    const { run, plan, repo, server } = opts;
    const started = clock.nowMs();
    if (!repo.initialised_at) await deps.repositories.initialise(repo);
    const target = await deps.repositories.targetOf(repo);
    const pw = await deps.repositories.password(plan.org_id);
    if (run.attempt > 1) await forgetRunLeftovers(target, pw, run.id);
    const progress = progressWriter(run.id);
    const entry = entryOf(plan);
    let summary: Record<string, unknown> | undefined;
    // Stalled: restic stopped taking bytes (it has not opened the repository, its stdin is full, or the capture
    // ended and it cannot upload) means the target; the capture stopped sending while restic waits for more (its
    // status lines still come, its stdin has room) means the server.
    let stalledSide: 'target' | 'server' = 'target';
    let captureEnded = false;
    const capture = new AbortController();
    let resticProc: ResticProcess | undefined;
    const watch = stallWatch(deps.stallMs, () => {
      const resticReading = Date.now() - lastStatusAt < 5_000 && !resticProc?.stdin?.writableNeedDrain;
      stalledSide = !captureEnded && resticReading ? 'server' : 'target';
      resticProc?.kill();
      capture.abort(new Error('stalled'));
    });
    // What restic said while it retried (a full disk, a refused write) explains a stall better than the stall.
    const stallError = (r: ResticResult | undefined) => {
      const said = r && r.stderr.trim() ? explainFailure(r, 'Writing the restore point') : undefined;
      if (said && said.code !== 'STEWARD_BACKUP_FAILED') return said;
      return stalledSide === 'target'
        ? stalledTarget(deps.stallMs / 1000, 'The backup')
        : new AppError(
            'STEWARD_BACKUP_CAPTURE_FAILED',
            `The backup stopped: the server sent nothing for ${deps.stallMs / 1000} s. Check that it is up and not overloaded, then run it again.`,
          );
    };
    let lastStatus = '';
    let lastStatusAt = 0;
    const onJson = (m: Record<string, unknown>) => {
      if (m.message_type === 'summary') {
        summary = m;
        watch.touch();
      } else if (m.message_type === 'status') {
        lastStatusAt = Date.now();
        const now = `${String(m.bytes_done)}/${String(m.files_done)}`;
        if (now !== lastStatus) watch.touch();
        lastStatus = now;
      }
    };
    const proc = (resticProc = await deps.restic.start(
      target,
      pw,
      [
        'backup',
        '--json',
        '--stdin',
        '--stdin-filename',
        entry,
        '--host',
        server.id,
        '--tag',
        `plan=${plan.id}`,
        '--tag',
        `run=${run.id}`,
      ],
      { stdin: 'pipe', signal: opts.signal, onJson },
    ));
    let bytes = 0;
    let tail = '';
    const count = (chunk: Buffer) => {
      watch.touch();
      bytes += chunk.length;
      tail = (tail + chunk.subarray(-256).toString('latin1')).slice(-256);
      progress({ phase: 'capturing', bytesRead: bytes });
    };
    let warning: string | null = null;
    try {
      const { argv, stdin } =
        plan.kind === 'files'
          ? {
              argv: tarArgv(JSON.parse(plan.paths) as string[], JSON.parse(plan.excludes) as string[]),
              stdin: undefined,
            }
          : await accessFor(plan, server).then((a) => ({ argv: dumpArgv(a.access), stdin: a.stdin }));
      const result = await deps.gateway().withServer(server, opts.instruction, `backup.${plan.kind}`, (session) =>
        session.stream(argv, {
          stdin,
          stdoutSink: proc.stdin!,
          onStdout: count,
          timeoutMs: STREAM_TIMEOUT_MS,
          signal: AbortSignal.any([opts.signal, capture.signal]),
          acceptExitCodes: plan.kind === 'files' ? [0, 1] : [0],
        }),
      );
      if (result.exitCode === 1) warning = 'Some files changed while they were read; each is as it was at one moment.';
      if (!complete(plan.kind, tail))
        throw new AppError('STEWARD_BACKUP_CAPTURE_FAILED', 'The dump ended before its closing line; it was not kept.');
    } catch (err) {
      proc.kill();
      const r = await proc.done.catch(() => undefined);
      watch.stop();
      if (watch.fired) throw stallError(r);
      // restic ended by itself (the target failed, so its stdin broke): its words explain the failure.
      if (r && r.signal === null && r.code !== 0) throw explainFailure(r, 'Writing the restore point');
      if (opts.signal.aborted) throw opts.signal.reason as Error;
      throw captureError(err, plan.kind === 'files' ? 'Reading the files' : 'Dumping the database');
    }
    progress({ phase: 'saving', bytesRead: bytes }, true);
    captureEnded = true;
    proc.stdin!.end();
    const r = await proc.done.finally(() => watch.stop());
    if (watch.fired) throw stallError(r);
    if (r.code !== 0 || !summary) throw explainFailure(r, 'Writing the restore point');
    const snapshotId = String(summary.snapshot_id);
    const keep = JSON.parse(plan.keep) as KeepRules;
    const forgotten = await forget(target, pw, plan, keep).catch((err: unknown) => {
      deps.logger.warn(
        { plan: plan.id, err: (err as Error).message },
        'applying the keep rules failed; next run retries',
      );
      return [] as string[];
    });
    const storedBytes = await storedBytesOf(target, pw).catch(() => null);
    return {
      snapshotId,
      bytesRead: bytes,
      bytesAdded: Number(summary.data_added ?? 0),
      durationMs: clock.nowMs() - started,
      forgotten,
      storedBytes,
      warning,
    };
  }

  /** Applies the plan's keep rules to its restore points; returns the ids restic forgot. */
  async function forget(target: ResticTarget, pw: Secret<string>, plan: PlanRow, keep: KeepRules): Promise<string[]> {
    const out = await deps.restic.run(target, pw, [
      'forget',
      '--json',
      '--tag',
      `plan=${plan.id}`,
      '--group-by',
      'tags',
      ...forgetArgs(keep),
    ]);
    const groups = JSON.parse(out.stdout || '[]') as { remove?: { id: string }[] | null }[];
    return groups.flatMap((g) => (g.remove ?? []).map((s) => s.id));
  }

  async function storedBytesOf(target: ResticTarget, pw: Secret<string>): Promise<number> {
    const out = await deps.restic.run(target, pw, ['stats', '--json', '--mode', 'raw-data']);
    const stats = JSON.parse(out.stdout) as { total_size?: number };
    return Number(stats.total_size ?? 0);
  }

  /** Streams a restore point's file out of restic into `sink` (a dry run's reader). */
  async function dumpInto(target: ResticTarget, pw: Secret<string>, snapshotId: string, entry: string, sink: Writable) {
    const proc = await deps.restic.start(target, pw, ['dump', snapshotId, `/${entry}`], { stdoutSink: sink });
    const r = await proc.done;
    if (r.code !== 0) throw explainFailure(r, 'Reading the restore point');
  }

  /** Tables a dump creates, read as it streams past. */
  function tableCollector(kind: PlanRow['kind']) {
    const tables = new Set<string>();
    let rest = '';
    const re = kind === 'mysql' ? /^CREATE TABLE `((?:[^`]|``)+)`/ : /^CREATE TABLE "?([^".\s]+)"?\."?([^"\s(]+)"?/;
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        const lines = (rest + chunk.toString('utf8')).split('\n');
        rest = (lines.pop() ?? '').slice(-4096);
        for (const line of lines) {
          const m = re.exec(line);
          if (m) tables.add(kind === 'mysql' ? m[1]!.replaceAll('``', '`') : `${m[1]}.${m[2]}`);
        }
        done();
      },
    });
    return { sink, tables };
  }

  async function restore(opts: {
    run: RunRow;
    plan: PlanRow;
    repo: RepositoryRow;
    server: ServerRow;
    instruction: Instruction;
    signal: AbortSignal;
  }): Promise<{ changes: PlannedChange[]; total: number; bytes: number }> {
    const { run, plan, repo, server } = opts;
    const req = JSON.parse(run.request) as RestoreInput;
    const target = await deps.repositories.targetOf(repo);
    const pw = await deps.repositories.password(plan.org_id);
    const progress = progressWriter(run.id);
    const entry = entryOf(plan);
    const gateway = deps.gateway();
    const withServer = <T>(fn: Parameters<typeof gateway.withServer<T>>[3]) =>
      gateway.withServer(server, opts.instruction, req.dryRun ? 'restore.dry_run' : `restore.${plan.kind}`, fn);

    if (plan.kind !== 'files') {
      const { access, stdin } = await accessFor({ ...plan, database: req.database ?? plan.database }, server);
      if (req.dryRun) {
        const { sink, tables } = tableCollector(plan.kind);
        await dumpInto(target, pw, req.snapshotId, entry, sink);
        const now = await withServer((s) => s.exec(tablesArgv(access), { stdin, timeoutMs: 120_000 }));
        const present = new Set(
          now.stdout
            .split('\n')
            .map((t) => t.trim())
            .filter(Boolean),
        );
        const changes: PlannedChange[] = [
          ...[...tables].sort().map((t) => ({
            action:
              present.has(t) || present.has(t.replace(/^public\./, '')) ? ('replace' as const) : ('create' as const),
            path: t,
          })),
          ...[...present]
            .filter((t) => !tables.has(t) && !tables.has(`public.${t}`))
            .sort()
            .map((t) => ({ action: 'keep' as const, path: t, detail: 'not in the restore point; left as it is' })),
        ];
        return { changes, total: changes.length, bytes: 0 };
      }
      return streamRestore({
        target,
        pw,
        snapshotId: req.snapshotId,
        entry,
        argv: restoreDbArgv(access),
        stdin,
        withServer,
        progress,
        signal: opts.signal,
      });
    }

    const members = (req.paths ?? []).map((p) => p.replace(/^\/+/, ''));
    const into = req.into ?? '/';
    if (req.dryRun) {
      const inPoint: { path: string; type: string; size: number; mtime: number }[] = [];
      const chosen = (p: string) => members.length === 0 || members.some((m) => p === m || p.startsWith(`${m}/`));
      const lister = tarLister((m) => {
        if (chosen(m.path) && inPoint.length < 100_000) inPoint.push(m);
      });
      await dumpInto(target, pw, req.snapshotId, entry, lister);
      const roots = members.length > 0 ? members : [...new Set(inPoint.map((m) => m.path.split('/')[0]!))];
      const place = (p: string) => `${into.replace(/\/+$/, '')}/${p}`;
      const listed = await withServer((s) =>
        s.exec(listArgv(roots.map(place)), { timeoutMs: 600_000, maxOutputBytes: 64 * 1024 * 1024 }),
      );
      const onServer = new Map<string, { type: string; size: number; mtime: number }>();
      for (const rec of listed.stdout.split('\0')) {
        const m = /^(\S) (\d+) (\d+)(?:\.\d+)? (.*)$/s.exec(rec);
        if (m) onServer.set(m[4]!, { type: m[1]!, size: Number(m[2]), mtime: Number(m[3]) });
      }
      const changes: PlannedChange[] = [];
      let total = 0;
      for (const m of inPoint) {
        const now = onServer.get(place(m.path));
        const same = now && (m.type === 'dir' ? now.type === 'd' : now.size === m.size && now.mtime === m.mtime);
        const action = !now ? 'create' : same ? 'unchanged' : 'replace';
        if (action === 'unchanged') continue;
        total++;
        if (changes.length < DRY_RUN_LIST_LIMIT)
          changes.push({ action, path: place(m.path), ...(m.type === 'file' ? { detail: `${m.size} bytes` } : {}) });
      }
      return { changes, total, bytes: 0 };
    }
    return streamRestore({
      target,
      pw,
      snapshotId: req.snapshotId,
      entry,
      argv: untarArgv(into, members),
      stdin: undefined,
      withServer,
      progress,
      signal: opts.signal,
    });
  }

  /** restic dump → the server's stdin; the stream ends only after restic succeeded, or the command is killed. */
  async function streamRestore(args: {
    readonly target: ResticTarget;
    readonly pw: Secret<string>;
    readonly snapshotId: string;
    readonly entry: string;
    /** The command on the server that reads the stream from its stdin. */
    readonly argv: Argv;
    /** Sent before the stream (the database password), or undefined. */
    readonly stdin: Secret<string> | undefined;
    readonly withServer: <T>(fn: (s: RemoteSession) => Promise<T>) => Promise<T>;
    readonly progress: (p: Record<string, unknown>, force?: boolean) => void;
    readonly signal: AbortSignal;
  }): Promise<{ changes: PlannedChange[]; total: number; bytes: number }> {
    const { target, pw, snapshotId, entry, argv, stdin, withServer, progress, signal } = args;
    const pipe = new PassThrough();
    const proc = await deps.restic.start(target, pw, ['dump', snapshotId, `/${entry}`], { stdoutSink: pipe, signal });
    const abort = new AbortController();
    const onOuter = () => abort.abort(signal.reason);
    signal.addEventListener('abort', onOuter, { once: true });
    const watch = stallWatch(deps.stallMs, () => {
      // Bytes waiting in the pipe: the server stopped reading them; none: restic stopped getting them.
      const serverSide = pipe.readableLength > 0 || pipe.writableNeedDrain;
      proc.kill();
      abort.abort(
        serverSide
          ? new AppError(
              'STEWARD_BACKUP_RESTORE_FAILED',
              `The restore stopped: the server took nothing for ${deps.stallMs / 1000} s after ${bytes} bytes. Check that it is up and has room, then restore again.`,
            )
          : stalledTarget(deps.stallMs / 1000, 'The restore'),
      );
    });
    let bytes = 0;
    pipe.on('data', (c: Buffer) => {
      watch.touch();
      bytes += c.length;
      progress({ phase: 'writing', bytesWritten: bytes });
    });
    pipe.pause();
    void proc.done.then(
      (r) => (r.code === 0 ? pipe.end() : abort.abort(explainFailure(r, 'Reading the restore point'))),
      (err: unknown) => abort.abort(err),
    );
    try {
      await withServer((s) =>
        s.exec(argv, {
          stdin,
          stdinStream: pipe,
          timeoutMs: STREAM_TIMEOUT_MS,
          signal: abort.signal,
          maxOutputBytes: 1024 * 1024,
        }),
      );
    } catch (err) {
      proc.kill();
      if (abort.signal.aborted && isAppError(abort.signal.reason)) throw abort.signal.reason;
      if (err instanceof ExecError)
        throw new AppError(
          'STEWARD_BACKUP_RESTORE_FAILED',
          `Writing to the server failed after ${bytes} bytes (exit ${err.exitCode ?? err.signal}): ${err.stderr.trim().split('\n').slice(-3).join(' ').slice(0, 500)}`,
        );
      throw err;
    } finally {
      watch.stop();
      signal.removeEventListener('abort', onOuter);
    }
    progress({ phase: 'done', bytesWritten: bytes }, true);
    return { changes: [], total: 0, bytes };
  }

  /** restic check (and prune of what keep rules forgot); returns what restic said when it failed. */
  async function check(
    repo: RepositoryRow,
  ): Promise<{ ok: boolean; code: ErrorCode | null; error: string | null; storedBytes: number | null }> {
    if (!repo.initialised_at) await deps.repositories.initialise(repo);
    const target = await deps.repositories.targetOf(repo);
    const pw = await deps.repositories.password(repo.org_id);
    await deps.restic.run(target, pw, ['unlock']).catch(() => undefined);
    const proc = await deps.restic.start(target, pw, ['check']);
    const r = await proc.done;
    if (r.code !== 0) {
      // What restic could not reach or open says nothing of the repository's state; anything else is damage.
      const e = explainFailure(r, 'restic check');
      const code = e.code === 'STEWARD_BACKUP_FAILED' ? 'STEWARD_BACKUP_REPOSITORY_DAMAGED' : e.code;
      return { ok: false, code, error: e.message, storedBytes: null };
    }
    await deps.restic
      .run(target, pw, ['prune'])
      .catch((err: unknown) =>
        deps.logger.warn({ repo: repo.id, err: (err as Error).message }, 'prune failed; the next check retries'),
      );
    return { ok: true, code: null, error: null, storedBytes: await storedBytesOf(target, pw).catch(() => null) };
  }

  return { backup, restore, check, serverOf: (id: string) => deps.servers.rowById(id) };
}

export type Runner = ReturnType<typeof createRunner>;
