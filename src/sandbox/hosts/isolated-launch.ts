import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { applyAccounts, planAccounts, type Accounts } from './accounts.js';
import { isolatedAddresses, isolatedSlots, type Pool } from './addresses.js';
import type { BaseRoot } from './base-root.js';
import { HOST_FSTAB } from './boot.js';
import { checkHostName, pidFileOf, type HostContext } from './context.js';
import { hostKeyFile } from './host-keys.js';
import { writeInside } from './inside.js';
import { IsolatedHost } from './isolated-host.js';
import { claimSlot } from './leases.js';
import { generateHostKey, type OpenSshKeyPair } from './openssh-keys.js';
import { networkPlan } from './netns.js';
import { prepareHost } from './prepare.js';
import { seedUpper, type SeedFile } from './seed.js';
import { renderSshdConfig } from './sshd-config.js';
import { hostId, vethName, writeState, type HostState } from './state.js';
import { teardownSync } from './teardown.js';
import type { HostSpec } from './types.js';

export interface IsolatedLaunch {
  readonly ctx: HostContext;
  readonly base: BaseRoot;
  readonly pool: Pool;
  /** Where to start looking for a free slot; moved past each slot taken, so a launcher rarely retries. */
  readonly hint: { value: number };
}

const HOST_PORT = 22;
const PID_FILE = '/run/sshd.pid';

function identityFiles(
  name: string,
  address: string,
  accounts: Accounts,
  spec: HostSpec,
  keys: readonly OpenSshKeyPair[],
): SeedFile[] {
  const sshd = renderSshdConfig({
    port: HOST_PORT,
    hostKeyFiles: keys.map((k) => hostKeyFile('/etc/ssh', k.type)),
    pidFile: PID_FILE,
    passwordLogin: accounts.passwordLogin,
    rootPassword: accounts.rootPassword !== undefined,
    overrides: spec.sshd,
    include: '/etc/ssh/sshd_config.d/*.conf',
  });
  const files: SeedFile[] = [
    { path: '/etc/hostname', content: `${name}\n`, mode: 0o644 },
    // sudo looks its own hostname up and complains on every call when it cannot.
    {
      path: '/etc/hosts',
      content: `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${address}\t${name}\n`,
      mode: 0o644,
    },
    { path: '/etc/machine-id', content: `${randomBytes(16).toString('hex')}\n`, mode: 0o444 },
    { path: '/etc/ssh/sshd_config', content: sshd, mode: 0o644 },
    { path: '/etc/fstab', content: HOST_FSTAB, mode: 0o644 },
    ...keys.flatMap((k): SeedFile[] => [
      { path: hostKeyFile('/etc/ssh', k.type), content: k.privateKey, mode: 0o600 },
      { path: `${hostKeyFile('/etc/ssh', k.type)}.pub`, content: k.publicKey, mode: 0o644 },
    ]),
  ];
  if (accounts.rootKeys.length > 0) {
    files.push({
      path: '/root/.ssh/authorized_keys',
      content: accounts.rootKeys.map((k) => `${k}\n`).join(''),
      mode: 0o600,
    });
  }
  return files;
}

/**
 * Makes one isolated host: lease a /30, seed and mount its overlay, build its network, create accounts and
 * files, boot it and wait for the SSH banner. The state file is written before anything exists, so a crash at
 * any step leaves a complete record for `cleanupStale`; a failure here undoes every step at once.
 */
export async function launchIsolated(
  launch: IsolatedLaunch,
  spec: HostSpec,
  defaultName: string,
): Promise<IsolatedHost> {
  const { ctx, base, pool } = launch;
  const name = checkHostName(spec.name ?? defaultName);
  const accounts = planAccounts(spec.users, ctx.rootKeys);
  const slot = claimSlot(ctx.runDir, 'h', isolatedSlots(pool), launch.hint.value, ctx.owner);
  launch.hint.value = slot + 1;
  const addrs = isolatedAddresses(pool, slot);
  const id = hostId(ctx.owner.pid, 'h', slot);
  const dir = join(ctx.runDir, id);
  const state: HostState = {
    version: 1,
    id,
    mode: 'isolated',
    name,
    owner: ctx.owner,
    slot,
    dir,
    address: addrs.host,
    port: HOST_PORT,
    netns: id,
    veth: vethName(slot),
    merged: join(dir, 'merged'),
    processes: [],
  };
  try {
    mkdirSync(dir, { mode: 0o700 });
    writeState(state);
    for (const sub of ['upper', 'work', 'merged']) mkdirSync(join(dir, sub));
    const started = Date.now();
    const keys = await Promise.all(ctx.keyTypes.map((t) => generateHostKey(t, `root@${name}`)));
    // /run/sshd is sshd's privilege-separation folder; /run is on the host's disk, not a tmpfs of its own.
    seedUpper(base.dir, join(dir, 'upper'), identityFiles(name, addrs.host, accounts, spec, keys), ['/run/sshd']);
    await prepareHost(
      { lower: base.dir, upper: join(dir, 'upper'), work: join(dir, 'work'), merged: join(dir, 'merged') },
      networkPlan(id, vethName(slot), addrs),
    );
    const prepared = Date.now();
    const chroot = { kind: 'chroot', merged: join(dir, 'merged') } as const;
    await applyAccounts(chroot, accounts);
    for (const file of spec.files ?? [])
      await writeInside(chroot, file.path, file.content, file.mode ?? 0o644, file.owner ?? '');
    const host = new IsolatedHost(ctx, state, pidFileOf(spec.sshd, PID_FILE));
    const setUp = Date.now();
    await host.boot();
    // Where a slow start spends its time, for whoever tunes this next.
    ctx.logger?.debug(
      { host: name, prepareMs: prepared - started, accountsMs: setUp - prepared, bootMs: Date.now() - setUp },
      'isolated host launched',
    );
    return host;
  } catch (err) {
    teardownSync([state], ctx.runDir);
    throw err;
  }
}
