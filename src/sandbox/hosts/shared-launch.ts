import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { AppError, isAppError } from '../../kernel/errors.js';
import { planAccounts } from './accounts.js';
import { sharedAddress, sharedSlots, type Pool } from './addresses.js';
import { checkHostName, type HostContext } from './context.js';
import { claimSlot } from './leases.js';
import { SharedHost } from './shared-host.js';
import { hostId, writeState, type HostState } from './state.js';
import { teardownSync } from './teardown.js';
import type { HostSpec } from './types.js';

export interface SharedLaunch {
  readonly ctx: HostContext;
  readonly pool: Pool;
  readonly hint: { value: number };
  /** Once one host could not bind its loopback address, the rest go straight to 127.0.0.1:port. */
  readonly portMode: { value: boolean };
}

const FALLBACK_ADDRESS = '127.0.0.1';

/** A port the kernel just handed out on 127.0.0.1; free now, and very likely still free a moment later. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, FALLBACK_ADDRESS, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function checkSpec(spec: HostSpec): void {
  const others = (spec.users ?? []).filter(
    (u) => u.name !== 'root' || u.password !== undefined || u.uid !== undefined || u.sudo !== undefined,
  );
  if (others.length > 0 || (spec.files ?? []).length > 0) {
    throw new AppError(
      'STEWARD_TESTHOSTS_UNSUPPORTED',
      "Shared test hosts take only root with authorized keys (they share this machine's users and files); use an isolated host.",
    );
  }
}

const bindFailed = (log: string): boolean =>
  /Bind to port|Cannot bind any address|Address already in use|Cannot assign requested address/i.test(log);

/** Starts one sshd on its own loopback address, port 22, falling back to 127.0.0.1 and a free port. */
export async function launchShared(launch: SharedLaunch, spec: HostSpec, defaultName: string): Promise<SharedHost> {
  const { ctx, pool } = launch;
  checkSpec(spec);
  const name = checkHostName(spec.name ?? defaultName);
  const accounts = planAccounts(spec.users, ctx.rootKeys);
  const slot = claimSlot(ctx.runDir, 's', sharedSlots(pool), launch.hint.value, ctx.owner);
  launch.hint.value = slot + 1;
  const id = hostId(ctx.owner.pid, 's', slot);
  const dir = join(ctx.runDir, id);
  const state: HostState = {
    version: 1,
    id,
    mode: 'shared',
    name,
    owner: ctx.owner,
    slot,
    dir,
    address: sharedAddress(pool, slot),
    port: 22,
    processes: [],
  };
  try {
    mkdirSync(dir, { mode: 0o700 });
    writeState(state);
    const host = new SharedHost(ctx, state, spec.sshd ?? {});
    if (launch.portMode.value) host.usePort(FALLBACK_ADDRESS, await freePort());
    await host.prepare(accounts.rootKeys);
    // Port mode picks ports another process may grab first, so a bind failure there is retried too.
    for (let attempt = 1; ; attempt++) {
      try {
        await host.boot();
        break;
      } catch (err) {
        if (!isAppError(err) || !bindFailed(host.logTail()) || attempt >= 4) throw err;
        if (!launch.portMode.value) {
          ctx.logger?.warn(
            { host: name, address: state.address },
            'cannot bind a loopback address on port 22; shared hosts fall back to 127.0.0.1:port',
          );
          launch.portMode.value = true;
        }
        host.usePort(FALLBACK_ADDRESS, await freePort());
      }
    }
    return host;
  } catch (err) {
    teardownSync([state], ctx.runDir);
    throw err;
  }
}
