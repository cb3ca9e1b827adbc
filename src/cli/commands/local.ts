import type { Command } from 'commander';
import { STAFF_ROLES, type StaffRole } from '../../core/actor.js';
import { AppError } from '../../kernel/errors.js';
import { openDatabase } from '../../db/database.js';
import { migrateToLatest, pendingMigrations } from '../../db/migrate.js';
import { loadConfig } from '../../kernel/config.js';
import { askSecret, ask } from '../prompt.js';
import { openLocal, requireUnsealed, type Env } from '../runtime.js';
import { say } from '../output.js';

const CLI_CONTEXT = { requestId: 'cli' };

/** Commands that work on the local database and vault directly (operators, on the Steward host). */
export function registerLocalCommands(program: Command, env: Env): void {
  program
    .command('migrate')
    .description('bring the database schema up to date (or show what is pending with --status)')
    .option('--status', 'only list migrations not yet applied')
    .action(async (opts: { status?: boolean }) => {
      const config = loadConfig(env);
      const database = openDatabase(config.database);
      try {
        if (opts.status) {
          const pending = await pendingMigrations(database.db);
          say(pending.length === 0 ? 'The database is up to date.' : `Pending: ${pending.join(', ')}`);
        } else {
          const { applied } = await migrateToLatest(database.db);
          say(applied.length === 0 ? 'The database was already up to date.' : `Applied: ${applied.join(', ')}`);
        }
      } finally {
        await database.close();
      }
    });

  const admin = program.command('admin').description('operator accounts');
  admin
    .command('create')
    .description('create an operator (staff) account; it must enrol a second factor at first sign-in')
    .requiredOption('--email <email>', 'the operator’s e-mail address')
    .requiredOption('--name <name>', 'the operator’s name')
    .option('--roles <roles>', `comma-separated staff roles (${STAFF_ROLES.join(', ')})`, 'admin')
    .option('--password-stdin', 'read the password from standard input instead of prompting')
    .action(async (opts: { email: string; name: string; roles: string; passwordStdin?: boolean }) => {
      const roles = opts.roles
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean);
      const unknown = roles.filter((r) => !(STAFF_ROLES as readonly string[]).includes(r));
      if (unknown.length > 0 || roles.length === 0)
        throw new AppError(
          'STEWARD_INVALID_INPUT',
          `Unknown staff role(s): ${unknown.join(', ') || '(none given)'}. Use: ${STAFF_ROLES.join(', ')}.`,
        );
      const password = await askSecret('Password: ', opts.passwordStdin === true);
      if (!opts.passwordStdin) {
        const again = await ask('Repeat password: ', true);
        if (again !== password.reveal()) throw new AppError('STEWARD_INVALID_INPUT', 'The two passwords differ.');
      }
      const runtime = await openLocal(env, { migrate: 'apply', logLevel: 'warn' });
      try {
        requireUnsealed(runtime);
        const id = await runtime.core.users.createStaff(
          { email: opts.email, name: opts.name, password, roles: roles as StaffRole[] },
          { type: 'system' },
          CLI_CONTEXT,
        );
        say(
          `Created operator ${id} (${roles.join(', ')}). Sign in, then turn on the second factor before doing anything else.`,
        );
      } finally {
        await runtime.close();
      }
    });

  const keys = program.command('keys').description('the vault’s keys');
  keys
    .command('rotate')
    .description('rotate data keys (re-encrypting sealed values) and, with --root, the root key (rewrapping data keys)')
    .option('--root', 'rotate the root key too (needs the key ring in a file)')
    .option('--root-only', 'rotate only the root key')
    .option('--scope <scope>', 'rotate only this scope’s data key (an organisation or person id)')
    .option('--resume', 'only finish rotations that were interrupted')
    .action(async (opts: { root?: boolean; rootOnly?: boolean; scope?: string; resume?: boolean }) => {
      const runtime = await openLocal(env, { migrate: 'require', logLevel: 'warn' });
      try {
        requireUnsealed(runtime);
        const { rotation } = runtime.core;
        const progress = (p: { kind: string; scope?: string; done: number; phase: string }) =>
          process.stderr.write(`\r${p.kind} ${p.scope ?? ''} ${p.phase}: ${p.done}   `);
        const resumed = await rotation.resume(progress);
        if (resumed > 0) say(`\nFinished ${resumed} interrupted rotation(s).`);
        if (opts.resume) return;
        if (opts.root || opts.rootOnly) {
          const r = await rotation.rotateRoot(progress);
          say(`\nRoot key rotated: v${r.from} → v${r.to}. Back up the key ring file now.`);
        }
        if (!opts.rootOnly) {
          const d = await rotation.rotateData({ scope: opts.scope, onProgress: progress });
          say(`\nData keys rotated for ${d.scopes} scope(s); sealed values re-encrypted.`);
        }
      } finally {
        await runtime.close();
      }
    });

  const audit = program.command('audit').description('the audit log');
  audit
    .command('verify')
    .description(
      'seal what is written, then check the hash chain against the latest signed checkpoint; names the first ' +
        'broken or missing entry',
    )
    .action(async () => {
      const runtime = await openLocal(env, { migrate: 'require', logLevel: 'warn' });
      try {
        requireUnsealed(runtime);
        const result = await runtime.core.audit.verify();
        const anchor = result.checkpoint
          ? ` Checked against the checkpoint of ${result.checkpoint.at} (entry ${result.checkpoint.chainSeq}, ` +
            `from the ${result.checkpoint.source}).`
          : ' No signed checkpoint yet.';
        const pending = result.unsealed.count
          ? ` ${result.unsealed.count} newer entries are not sealed yet (oldest ${result.unsealed.oldestAt}).`
          : '';
        const bad = result.badCheckpoints
          ? ` ${result.badCheckpoints} line(s) of the checkpoint file do not parse or are not validly signed.`
          : '';
        if (result.broken) {
          process.exitCode = 1;
          const b = result.broken;
          const where = b.seq !== null ? `entry ${b.seq}${b.id ? ` (${b.id})` : ''}` : `chain entry ${b.chainSeq}`;
          say(`Audit log BROKEN at ${where}: ${b.reason}. ${result.checked} entries before it are intact.${bad}`);
        } else {
          say(`Audit log intact: ${result.checked} entries verified.${anchor}${pending}${bad}`);
        }
      } finally {
        await runtime.close();
      }
    });
  audit
    .command('checkpoint')
    .description('seal what is written and sign a checkpoint of the chain now; prints it with the public key')
    .action(async () => {
      const runtime = await openLocal(env, { migrate: 'require', logLevel: 'warn' });
      try {
        requireUnsealed(runtime);
        const checkpoint = await runtime.core.audit.checkpoint();
        if (!checkpoint) {
          say('The audit log is empty: nothing to sign yet.');
          return;
        }
        say(JSON.stringify({ ...checkpoint, publicKey: runtime.core.audit.checkpointPublicKey() }, null, 2));
        say(`Appended to ${runtime.config.audit.checkpointFile}.`);
      } finally {
        await runtime.close();
      }
    });

  program
    .command('outbox')
    .description('show the mail Steward wrote to an address (sent, or held when no SMTP server is configured)')
    .requiredOption('--to <email>', 'the recipient')
    .option('--json', 'print JSON')
    .action(async (opts: { to: string; json?: boolean }) => {
      const runtime = await openLocal(env, { migrate: 'require', logLevel: 'warn' });
      try {
        requireUnsealed(runtime);
        const { core } = runtime;
        const mails = await core.notify.mailsTo(core.vault.emailIndex(opts.to));
        if (opts.json) return say(JSON.stringify(mails, null, 2));
        if (mails.length === 0) say(`No mail to ${opts.to}.`);
        for (const m of mails) say(`--- ${m.createdAt} · ${m.status} · ${m.subject}\n${m.text}`);
      } finally {
        await runtime.close();
      }
    });
}
