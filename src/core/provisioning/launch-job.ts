import { AppError, isAppError } from '../../kernel/errors.js';
import { waitForNodeState, type CallOptions, type ComputeDriver, type Node } from '../../providers/index.js';
import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { ProvisioningConfig } from '../../kernel/config.js';
import type { Logger } from '../../kernel/logger.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Instruction } from '../instruction.js';
import type { JobContext } from '../jobs/queue.js';
import type { OrgKeys, ServersService } from '../servers/servers.service.js';
import type { DriverFactory } from './drivers.js';
import type { PresentedHostKey } from '../../remote/index.js';
import { hostKeysFromConsole, preferredHostKey } from './console-host-keys.js';
import { describeFailure, instanceRowFrom, isPermanent, providerToken } from './provisioning.rules.js';
import { provisioningStore as store } from './provisioning.store.js';
import type { AccountRow, LaunchRow } from './provisioning.types.js';

export interface LaunchJobDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: ProvisioningConfig;
  readonly audit: Pick<AuditService, 'record'>;
  readonly servers: Pick<ServersService, 'adoptServer'>;
  readonly orgKeys: Pick<OrgKeys, 'publicKey'>;
  readonly drivers: DriverFactory;
}

type JobDeps = LaunchJobDeps;

const addressOf = (node: Node): string | undefined => node.publicIps[0] ?? node.privateIps[0];

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/**
 * Waits until the instance runs and has an address. A provider may report `running` a moment before it hands
 * out the address, so the address is waited for too; an instance that ends up terminated fails the launch.
 */
async function waitForAddress(
  deps: JobDeps,
  driver: ComputeDriver,
  nodeId: string,
  opts: CallOptions,
  deadline: number,
): Promise<{ node: Node; address: string }> {
  for (;;) {
    const node = await waitForNodeState(driver, nodeId, ['running', 'terminated'], {
      ...opts,
      clock: deps.clock,
      intervalMs: deps.config.pollMs,
      timeoutMs: Math.max(0, deadline - deps.clock.nowMs()),
    });
    if (node.state === 'terminated')
      throw new AppError(
        'STEWARD_PROVIDER_REQUEST_REJECTED',
        'The instance was terminated before it was running (the provider may have run out of capacity, or someone terminated it).',
      );
    const address = addressOf(node);
    if (address !== undefined) return { node, address };
    if (deps.clock.nowMs() >= deadline)
      throw new AppError(
        'STEWARD_PROVIDER_UNAVAILABLE',
        'The instance is running but the provider gave it no address in time.',
      );
    await pause(deps.config.pollMs, opts.signal);
  }
}

/**
 * Waits until the instance has printed its SSH host keys to its console and returns the one to pin. The console is
 * read through the provider's API with the account's credentials, so nothing on the network path to the server can
 * change what it says; an instance that never prints its keys is not logged in to (no trust on first use).
 */
async function consoleHostKey(
  deps: JobDeps,
  driver: ComputeDriver,
  nodeId: string,
  opts: CallOptions,
  deadline: number,
): Promise<PresentedHostKey> {
  for (;;) {
    let text: string | undefined;
    try {
      text = await driver.consoleOutput(nodeId, opts);
    } catch (err) {
      if (!(isAppError(err) && err.code === 'STEWARD_PROVIDER_NOT_FOUND')) throw err;
      throw new AppError(
        'STEWARD_SSH_HOST_KEY_UNKNOWN',
        'The provider serves no console output for this instance, so Steward cannot learn its SSH host key before logging in. Import the instance with its host key fingerprint (`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on it), or terminate it.',
      );
    }
    const key = preferredHostKey(hostKeysFromConsole(text));
    if (key !== undefined) return key;
    if (deps.clock.nowMs() >= deadline)
      throw new AppError(
        'STEWARD_SSH_HOST_KEY_UNKNOWN',
        'The instance runs, but its console never showed the SSH host keys cloud-init prints at boot, so Steward did not log in to it. Its image may lack cloud-init: import the instance with its host key fingerprint, or terminate it.',
      );
    await pause(deps.config.pollMs, opts.signal);
  }
}

async function markFailed(deps: JobDeps, launch: LaunchRow, err: unknown): Promise<void> {
  const failure = describeFailure(err);
  await deps.db.transaction().execute(async (trx) => {
    await store.updateLaunch(trx, launch.account_id, launch.token, {
      status: 'failed',
      error_code: failure.code,
      error_message: failure.message,
      updated_at: deps.clock.iso(),
    });
    await deps.audit.record(trx, {
      action: 'instance.launch_failed',
      orgId: launch.org_id,
      actor: { type: 'system' },
      target: { type: 'provider_account', id: launch.account_id },
      result: 'failed',
      details: { name: launch.name, instance: launch.node_id, code: failure.code },
    });
  });
}

async function createAndAdopt(
  deps: JobDeps,
  launch: LaunchRow,
  account: AccountRow,
  instruction: Instruction,
  job: JobContext,
): Promise<void> {
  const deadline = deps.clock.nowMs() + deps.config.launchTimeoutMs;
  const { driver, opts } = await deps.drivers.open(account, instruction, job.signal);
  const patch = (trx: Parameters<typeof store.updateLaunch>[0], p: Partial<LaunchRow>) =>
    store.updateLaunch(trx, launch.account_id, launch.token, { ...p, updated_at: deps.clock.iso() });

  // 1. Create (or, on a retry, find again: the provider token makes this idempotent).
  if (launch.status === 'queued') await patch(deps.db, { status: 'creating' });
  const { publicKey } = await deps.orgKeys.publicKey(launch.org_id);
  const created = await driver.createNode(
    {
      name: launch.name,
      sizeId: launch.size_id,
      imageId: launch.image_id,
      ...(launch.location_id ? { locationId: launch.location_id } : {}),
      idempotencyToken: providerToken(account.id, launch.token),
      sshPublicKey: publicKey,
    },
    opts,
  );
  if (launch.node_id === null) {
    await deps.db.transaction().execute(async (trx) => {
      await patch(trx, { status: 'waiting', node_id: created.id });
      await store.saveInstance(trx, instanceRowFrom(created, account, deps.clock.iso()));
      await deps.audit.record(trx, {
        action: 'instance.launched',
        orgId: launch.org_id,
        actor: { type: 'system' },
        target: { type: 'instance', id: `${account.id}/${created.id}` },
        details: { name: launch.name, job: job.id },
      });
    });
  }

  // 2. Running, with an address, and the host key it printed to its console.
  const { node, address } = await waitForAddress(deps, driver, created.id, opts, deadline);
  const hostKey = await consoleHostKey(deps, driver, node.id, opts, deadline);

  // 3. Into the inventory with that key pinned; the server's own enrolment job logs in, checking it.
  const server = await deps.servers.adoptServer(
    {
      orgId: launch.org_id,
      name: launch.name,
      address,
      port: 22,
      username: launch.ssh_user,
      providerAccountId: account.id,
      providerNodeId: node.id,
      hostKey: { publicKey: hostKey.publicKey, fingerprint: hostKey.fingerprint, source: 'provider_console' },
    },
    instruction,
    { ...(instruction.id ? { requestId: instruction.id } : {}) },
  );
  await deps.db.transaction().execute(async (trx) => {
    await patch(trx, { status: 'adopted', address, server_id: server.id, error_code: null, error_message: null });
    await store.saveInstance(trx, instanceRowFrom(node, account, deps.clock.iso()));
    await deps.audit.record(trx, {
      action: 'instance.adopted',
      orgId: launch.org_id,
      actor: { type: 'system' },
      target: { type: 'instance', id: `${account.id}/${node.id}` },
      details: { server: server.id, address },
    });
  });
}

/**
 * The launch job. Retries (the queue's backoff) cover throttling and provider outages that outlast the
 * driver's own retries; errors that a retry cannot fix (refused credentials, unknown image) end it at once.
 */
export async function runLaunch(
  deps: JobDeps,
  job: JobContext,
  instruction: Instruction,
  lastAttempt: boolean,
): Promise<void> {
  const launch = await store.launchByJob(deps.db, job.id);
  if (!launch || launch.org_id !== job.orgId || launch.status === 'adopted' || launch.status === 'failed') return;
  const account = await store.accountAnyOrg(deps.db, launch.account_id);
  if (!account || account.org_id !== launch.org_id) return;
  try {
    await createAndAdopt(deps, launch, account, instruction, job);
  } catch (err) {
    if (job.signal.aborted && !lastAttempt) throw err;
    if (lastAttempt || isPermanent(err)) {
      await markFailed(deps, (await store.launchByJob(deps.db, job.id)) ?? launch, err);
      return;
    }
    deps.logger.warn(
      { job: job.id, code: isAppError(err) ? err.code : 'unexpected' },
      'launch attempt failed; it will be retried',
    );
    throw err;
  }
}
