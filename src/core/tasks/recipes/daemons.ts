/**
 * Daemons Steward can start and stop by hand when nothing on the server manages them: a container or a minimal
 * image has no systemd, and a package may ship no init script. Only the services Steward's own recipes install
 * are here; any other service needs a service manager that knows it.
 */
import type { Argv } from '../../../remote/index.js';
import { sh } from './exec.js';

export interface Daemon {
  /** Process names (as `pgrep -x` matches them) that mean "running". */
  readonly processes: readonly string[];
  /** Started detached from the SSH session (setsid, no terminal, output discarded). */
  readonly start: readonly string[];
  readonly stop: Argv;
}

export const DAEMONS: Readonly<Record<string, Daemon>> = {
  nginx: { processes: ['nginx'], start: ['nginx'], stop: ['nginx', '-s', 'quit'] },
  // mysqld_safe restarts the server if it crashes, as the packaged init scripts do.
  mariadb: { processes: ['mariadbd', 'mysqld'], start: ['mysqld_safe'], stop: ['mysqladmin', 'shutdown'] },
  fail2ban: {
    processes: ['fail2ban-server'],
    start: ['fail2ban-client', '-x', 'start'],
    stop: ['fail2ban-client', 'stop'],
  },
  cron: { processes: ['cron', 'crond'], start: ['cron'], stop: sh('read -r pid < /run/crond.pid && kill "$pid"') },
};

export function daemonOf(service: string): Daemon | undefined {
  return Object.hasOwn(DAEMONS, service) ? DAEMONS[service] : undefined;
}
