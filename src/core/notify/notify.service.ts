import nodemailer from 'nodemailer';
import type { Db, Executor } from '../../db/database.js';
import type { OutboxTable } from '../../db/schema.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, forbidden } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import type { Logger } from '../../kernel/logger.js';
import type { Secret } from '../../kernel/secret.js';
import type { Actor } from '../actor.js';
import type { JobContext, Queue } from '../jobs/queue.js';
import type { Vault } from '../vault/vault.service.js';
import { templateNamed, type RenderedMail } from './templates.js';
import type { SealedColumnSpec } from '../vault/vault.types.js';

export const OUTBOX_SEALED: SealedColumnSpec = {
  table: 'outbox',
  id: 'id',
  scope: 'scope',
  columns: ['message_sealed'],
};

export interface NotifyDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly vault: Pick<Vault, 'seal' | 'openText' | 'emailIndex'>;
  readonly queue: Queue;
  readonly smtpUrl: Secret<string> | undefined;
  readonly from: string;
}

export interface NewMail {
  readonly to: string;
  /** Key scope the message is sealed under: the recipient's user id, or the organisation's id. */
  readonly scope: string;
  readonly orgId?: string | null;
  /** Promotional mail needs consent and carries an unsubscribe link; the gate decides before sending. */
  readonly category: OutboxTable['category'];
  readonly template: string;
  readonly vars: Readonly<Record<string, string>>;
  /** Mails with the same key are sent once (e.g. one policy notice per person and version). */
  readonly dedupeKey?: string;
  /** Extra headers (List-Unsubscribe for promotional mail). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Files sent with the mail (an invoice's PDF); sealed in the outbox with the rest of the message. */
  readonly attachments?: readonly MailAttachment[];
}

export interface MailAttachment {
  readonly filename: string;
  readonly contentType: string;
  readonly content: Buffer;
}

interface SealedMessage extends RenderedMail {
  readonly to: string;
  readonly headers: Record<string, string>;
  readonly attachments?: { filename: string; contentType: string; base64: string }[];
}

/** Decides, just before sending, whether a promotional mail may go (consent, suppression list). */
export type MailGate = (mail: {
  toIndex: string;
  category: OutboxTable['category'];
  template: string;
  orgId: string | null;
  scope: string;
}) => Promise<'send' | 'suppress'>;

const ctxOf = (scope: string, id: string) => ({ scope, table: 'outbox', column: 'message_sealed', row: id });

/**
 * Outgoing e-mail. Mails are written to the outbox (sealed: they hold names and addresses) in the transaction of
 * what causes them, then delivered over SMTP by a job with retries. Without an SMTP server configured they stay
 * in the outbox, held, and the operator sees them there.
 */
export function createNotifyService(deps: NotifyDeps) {
  const { db, clock } = deps;
  let gate: MailGate = async () => 'send';
  const transport = deps.smtpUrl
    ? nodemailer.createTransport(deps.smtpUrl.reveal(), {
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
      })
    : undefined;

  async function queueMail(exec: Executor, mail: NewMail): Promise<string | undefined> {
    const template = templateNamed(mail.template);
    if (!template) throw new AppError('STEWARD_INTERNAL', `No e-mail template ${mail.template}.`);
    // Promotional mail always offers a one-click way out (RFC 8058); one without it is a bug, not a mail.
    if (mail.category === 'promotional' && !mail.headers?.['List-Unsubscribe-Post'])
      throw new AppError('STEWARD_INTERNAL', 'Promotional mail needs List-Unsubscribe headers.');
    if (mail.dedupeKey) {
      const existing = await exec
        .selectFrom('outbox')
        .select('id')
        .where('dedupe_key', '=', mail.dedupeKey)
        .executeTakeFirst();
      if (existing) return undefined;
    }
    const id = newId('mail', clock.nowMs());
    const rendered = template(mail.vars);
    const message: SealedMessage = {
      ...rendered,
      to: mail.to,
      headers: { ...(mail.headers ?? {}) },
      ...(mail.attachments?.length
        ? {
            attachments: mail.attachments.map((a) => ({
              filename: a.filename,
              contentType: a.contentType,
              base64: a.content.toString('base64'),
            })),
          }
        : {}),
    };
    await exec
      .insertInto('outbox')
      .values({
        id,
        org_id: mail.orgId ?? null,
        scope: mail.scope,
        to_bidx: deps.vault.emailIndex(mail.to),
        category: mail.category,
        template: mail.template,
        message_sealed: await deps.vault.seal(ctxOf(mail.scope, id), JSON.stringify(message), exec),
        status: transport ? 'queued' : 'held',
        attempts: 0,
        last_error: null,
        dedupe_key: mail.dedupeKey ?? null,
        created_at: clock.iso(),
        sent_at: null,
      })
      .execute();
    if (transport)
      await deps.queue.enqueue(exec, {
        queue: 'mail.send',
        orgId: mail.orgId ?? null,
        payload: { mailId: id },
        maxAttempts: 6,
      });
    return id;
  }

  async function open(row: OutboxTable): Promise<SealedMessage> {
    return JSON.parse(
      (await deps.vault.openText(ctxOf(row.scope, row.id), row.message_sealed)).reveal(),
    ) as SealedMessage;
  }

  /** Job: sends one mail; a failure is retried by the queue with backoff. */
  async function deliver(job: JobContext): Promise<void> {
    const row = await db
      .selectFrom('outbox')
      .selectAll()
      .where('id', '=', String(job.payload.mailId))
      .executeTakeFirst();
    if (!row || row.status !== 'queued' || !transport) return;
    if (
      (await gate({
        toIndex: row.to_bidx,
        category: row.category,
        template: row.template,
        orgId: row.org_id,
        scope: row.scope,
      })) === 'suppress'
    ) {
      await db.updateTable('outbox').set({ status: 'suppressed' }).where('id', '=', row.id).execute();
      return;
    }
    const message = await open(row);
    try {
      await transport.sendMail({
        from: deps.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        headers: message.headers,
        ...(message.attachments
          ? {
              attachments: message.attachments.map((a) => ({
                filename: a.filename,
                contentType: a.contentType,
                content: Buffer.from(a.base64, 'base64'),
              })),
            }
          : {}),
      });
      await db
        .updateTable('outbox')
        .set({ status: 'sent', sent_at: clock.iso(), attempts: row.attempts + 1, last_error: null })
        .where('id', '=', row.id)
        .execute();
    } catch (err) {
      const final = job.attempt >= 6;
      await db
        .updateTable('outbox')
        .set({
          attempts: row.attempts + 1,
          last_error: (err as Error).message.slice(0, 300),
          ...(final ? { status: 'failed' } : {}),
        })
        .where('id', '=', row.id)
        .execute();
      if (!final) throw err;
    }
  }

  return {
    queueMail,
    deliver,
    configured: (): boolean => transport !== undefined,
    /** The privacy module installs the consent and suppression check here. */
    setGate(next: MailGate): void {
      gate = next;
    },
    /** The outbox for operators (admin staff): what was sent, held or failed. */
    async listOutbox(actor: Actor, filter: { status?: OutboxTable['status']; limit: number }) {
      if (actor.kind !== 'staff' || !actor.staffRoles.includes('admin'))
        throw forbidden('The outbox is for operators (admin staff role).');
      let q = db.selectFrom('outbox').selectAll().orderBy('created_at', 'desc').limit(filter.limit);
      if (filter.status) q = q.where('status', '=', filter.status);
      const rows = await q.execute();
      return Promise.all(
        rows.map(async (r) => {
          const m = await open(r).catch(() => undefined);
          return {
            id: r.id,
            to: m?.to ?? '(unreadable)',
            subject: m?.subject ?? '(unreadable)',
            text: m?.text ?? '',
            category: r.category,
            template: r.template,
            status: r.status,
            attempts: r.attempts,
            lastError: r.last_error,
            createdAt: r.created_at,
            sentAt: r.sent_at,
          };
        }),
      );
    },
    // Privacy (delivery checks for transfer notices, data export, erasure)
    /** Delivery status of mails by dedupe key (keys without a mail are absent). */
    async statusByDedupeKeys(keys: readonly string[]): Promise<Map<string, OutboxTable['status']>> {
      const out = new Map<string, OutboxTable['status']>();
      for (let i = 0; i < keys.length; i += 500) {
        const rows = await db
          .selectFrom('outbox')
          .select(['dedupe_key', 'status'])
          .where('dedupe_key', 'in', keys.slice(i, i + 500))
          .execute();
        for (const r of rows) if (r.dedupe_key) out.set(r.dedupe_key, r.status);
      }
      return out;
    },
    /** Mails to one address (by blind index), opened, for that person's data export. */
    async mailsTo(toIndex: string) {
      const rows = await db
        .selectFrom('outbox')
        .selectAll()
        .where('to_bidx', '=', toIndex)
        .orderBy('created_at')
        .execute();
      return Promise.all(
        rows.map(async (r) => {
          const m = await open(r).catch(() => undefined);
          return {
            subject: m?.subject ?? '(unreadable)',
            text: m?.text ?? '',
            category: r.category,
            template: r.template,
            status: r.status,
            createdAt: r.created_at,
            sentAt: r.sent_at,
          };
        }),
      );
    },
    /** Erases the mails of an organisation, or sealed under a person's scope (deletion). */
    forgetMails: (exec: Executor, of: { orgId: string } | { scope: string }) =>
      'orgId' in of
        ? exec.deleteFrom('outbox').where('org_id', '=', of.orgId).execute()
        : exec.deleteFrom('outbox').where('scope', '=', of.scope).execute(),
    close: () => transport?.close(),
  };
}

export type NotifyService = ReturnType<typeof createNotifyService>;
