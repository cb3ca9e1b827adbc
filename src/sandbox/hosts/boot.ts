import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { sleep } from '../../kernel/clock.js';
import { AppError } from '../../kernel/errors.js';
import { HOST_ENV } from './exec.js';
import { onlyChildOf, processRef, type ProcessRef } from './proc.js';
import type { HostKeyType } from './types.js';

/**
 * What runs as pid 1 of a host's PID namespace, inside its root. It plays the part of a boot: mount what the
 * host's /etc/fstab lists (/dev/pts, /dev/shm, its own /sys), set the hostname, make missing host keys; then
 * it becomes sshd. sshd as pid 1 is enough of an init: it reaps every child, orphans included, and SIGHUP
 * makes it re-exec itself with new keys without ending the namespace.
 *
 * Every process costs ~15 ms on these machines, which is most of a host's start time, so the script spends
 * few: one `mount -a` for all mounts, the hostname written with shell builtins. Key types arrive as
 * arguments, never spliced into the text.
 */
const INIT_SCRIPT = [
  'set -e',
  'mount -a',
  'read -r name < /etc/hostname',
  'echo "$name" > /proc/sys/kernel/hostname',
  'for t in "$@"; do',
  '  f=/etc/ssh/ssh_host_${t}_key',
  '  [ -s "$f" ] || ssh-keygen -q -t "$t" -N "" -C "root@$name" -f "$f"',
  'done',
  'exec /usr/sbin/sshd -D -e',
].join('\n');

/** The mounts a host's init makes; written as the host's /etc/fstab, where a real machine keeps them. */
export const HOST_FSTAB = [
  "# Mounted by the test host's init (mount -a); / and /proc are set up before it runs.",
  'devpts /dev/pts devpts newinstance,ptmxmode=0666,mode=0620,gid=5 0 0',
  '/dev/pts/ptmx /dev/ptmx none bind 0 0',
  'tmpfs /dev/shm tmpfs mode=1777,nosuid,nodev 0 0',
  'sysfs /sys sysfs ro,nosuid,nodev,noexec 0 0',
  '',
].join('\n');

export interface BootedHost {
  /** pid 1 of the host's PID namespace (sshd once booted), as this machine numbers it. */
  readonly init: ProcessRef;
  /** `unshare`, which waits for init and kills it (--kill-child) if it is killed itself. */
  readonly unshare: ProcessRef;
  /** True once unshare has ended, which it does as soon as init does: a liveness check without reading /proc. */
  readonly hasExited: () => boolean;
}

/**
 * Starts a host: `ip netns exec` puts it in its network namespace; `unshare` gives it new mount, PID, UTS and
 * IPC namespaces, makes the overlay its root (--root, a chroot without a separate process) and mounts a /proc
 * of its own there. sshd logs (-e) go to `logPath`.
 */
export async function bootHost(
  netns: string,
  merged: string,
  logPath: string,
  keyTypes: readonly HostKeyType[],
): Promise<BootedHost> {
  const log = openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(
      'ip',
      [
        'netns',
        'exec',
        netns,
        'unshare',
        '--mount',
        '--pid',
        '--uts',
        '--ipc',
        '--fork',
        '--kill-child',
        `--root=${merged}`,
        '--mount-proc=/proc',
        '/bin/sh',
        '-c',
        INIT_SCRIPT,
        'steward-init',
        ...keyTypes,
      ],
      { stdio: ['ignore', log, log], env: HOST_ENV },
    );
  } finally {
    closeSync(log);
  }
  // Hosts must not keep the test process alive; exit handlers and destroy() end them.
  child.unref();
  let exited = false;
  child.once('exit', () => (exited = true));
  // `ip netns exec` execs unshare in place, so the child's pid is unshare's.
  const unshare = child.pid === undefined ? undefined : processRef(child.pid);
  const until = Date.now() + 5000;
  while (unshare && !exited && Date.now() < until) {
    const init = onlyChildOf(unshare.pid);
    if (init) return { init, unshare, hasExited: () => exited };
    await sleep(2);
  }
  child.kill('SIGKILL');
  throw new AppError(
    'STEWARD_TESTHOSTS_START_FAILED',
    `The host in ${netns} did not start its init process; see ${logPath}.`,
    { netns },
  );
}
