/** Outgoing mail: sealed in the outbox, sent by the `mail.send` job (retried, never lost on a restart). */
import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { Config } from '../../kernel/config.js';
import type { Logger } from '../../kernel/logger.js';
import type { Queue } from '../jobs/queue.js';
import type { Vault } from '../vault/vault.service.js';
import { createNotifyService } from './notify.service.js';

export interface NotifyModuleDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: Pick<Config, 'mail'>;
  readonly vault: Pick<Vault, 'seal' | 'openText' | 'emailIndex'>;
  readonly queue: Queue;
}

export function registerNotify(deps: NotifyModuleDeps) {
  const notify = createNotifyService({
    db: deps.db,
    clock: deps.clock,
    logger: deps.logger.child({ module: 'mail' }),
    vault: deps.vault,
    queue: deps.queue,
    smtpUrl: deps.config.mail.smtpUrl,
    from: deps.config.mail.from,
  });
  deps.queue.register('mail.send', (job) => notify.deliver(job), { timeoutMs: 2 * 60_000 });
  return notify;
}

export { OUTBOX_SEALED } from './notify.service.js';
