import { AppError, notFound } from '../../kernel/errors.js';
import { randomToken } from '../../kernel/ids.js';
import { assertValidUnixUser } from '../../remote/index.js';
import { auditActor, type Actor } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import { instructionFromPayload, instructionPayload, userInstruction } from '../instruction.js';
import type { JobContext, Queue } from '../jobs/queue.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { ServersService } from '../servers/servers.service.js';
import type { AccountsService } from './accounts.service.js';
import { runLaunch, type LaunchJobDeps } from './launch-job.js';
import { launchView } from './provisioning.rules.js';
import { provisioningStore as store } from './provisioning.store.js';
import type { LaunchInput, LaunchRow, LaunchView } from './provisioning.types.js';

export const LAUNCH_QUEUE = 'provisioning.launch';
export const LAUNCH_ATTEMPTS = 3;

export interface LaunchesDeps extends LaunchJobDeps {
  readonly audit: Pick<AuditService, 'record' | 'recordAlone'>;
  readonly orgs: Pick<OrgsService, 'requireMember'>;
  readonly queue: Queue;
  readonly servers: Pick<ServersService, 'adoptServer' | 'rowById'>;
  readonly accounts: Pick<AccountsService, 'requireAccount'>;
}

const sameRequest = (row: LaunchRow, input: LaunchInput): boolean =>
  row.name === input.name &&
  row.size_id === input.sizeId &&
  row.image_id === input.imageId &&
  row.location_id === (input.locationId ?? null) &&
  row.ssh_user === input.sshUser;

/**
 * Launching instances. A launch is recorded and handed to a job in one transaction; the job creates the
 * instance with the organisation's key injected, waits until it runs with an address, and adopts it into the
 * servers inventory (whose enrolment then logs in). A repeated launch with the same token returns the first.
 */
export function createLaunchesService(deps: LaunchesDeps) {
  const { db, clock } = deps;

  async function view(row: LaunchRow): Promise<LaunchView> {
    const server = row.server_id ? await deps.servers.rowById(row.server_id) : undefined;
    return launchView(
      row,
      server && server.org_id === row.org_id
        ? { status: server.status, statusReason: server.status_reason }
        : undefined,
    );
  }

  async function launchInstance(
    actor: Actor,
    orgId: string,
    accountId: string,
    input: LaunchInput,
    ctx: RequestContext,
  ): Promise<{ launch: LaunchView; repeated: boolean }> {
    const account = await deps.accounts.requireAccount(actor, orgId, accountId, ctx);
    assertValidUnixUser(input.sshUser);
    const token = input.token ?? randomToken(18);
    const existing = await store.launch(db, orgId, accountId, token);
    if (existing) {
      if (!sameRequest(existing, input))
        throw new AppError(
          'STEWARD_CONFLICT',
          'This launch token was already used for a launch with other settings; use a new token for a new launch.',
        );
      return { launch: await view(existing), repeated: true };
    }
    const now = clock.iso();
    const instruction = userInstruction(actor.userId, ctx.requestId);
    try {
      const row = await db.transaction().execute(async (trx) => {
        const jobId = await deps.queue.enqueue(trx, {
          queue: LAUNCH_QUEUE,
          orgId,
          payload: { accountId, ...instructionPayload(instruction) },
          maxAttempts: LAUNCH_ATTEMPTS,
        });
        const launch: LaunchRow = {
          account_id: accountId,
          token,
          org_id: orgId,
          name: input.name,
          size_id: input.sizeId,
          image_id: input.imageId,
          location_id: input.locationId ?? null,
          ssh_user: input.sshUser,
          status: 'queued',
          node_id: null,
          address: null,
          server_id: null,
          job_id: jobId,
          error_code: null,
          error_message: null,
          created_by: actor.userId,
          created_at: now,
          updated_at: now,
        };
        await store.insertLaunch(trx, launch);
        await deps.audit.record(
          trx,
          {
            action: 'instance.launch_requested',
            orgId,
            actor: auditActor(actor),
            target: { type: 'provider_account', id: accountId },
            details: {
              provider: account.provider,
              name: input.name,
              size: input.sizeId,
              image: input.imageId,
              location: input.locationId ?? null,
              job: jobId,
            },
          },
          ctx,
        );
        return launch;
      });
      return { launch: await view(row), repeated: false };
    } catch (err) {
      // Two requests with one token at once: the second loses on the primary key and answers with the first.
      const raced = await store.launch(db, orgId, accountId, token);
      if (raced && sameRequest(raced, input)) return { launch: await view(raced), repeated: true };
      throw err;
    }
  }

  async function getLaunch(
    actor: Actor,
    orgId: string,
    accountId: string,
    token: string,
    ctx: RequestContext,
  ): Promise<LaunchView> {
    await deps.orgs.requireMember(actor, orgId, 'member', ctx);
    const row = await store.launch(db, orgId, accountId, token);
    if (!row) throw notFound('The launch');
    return view(row);
  }

  async function listLaunches(actor: Actor, orgId: string, limit: number, ctx: RequestContext): Promise<LaunchView[]> {
    await deps.orgs.requireMember(actor, orgId, 'member', ctx);
    return Promise.all((await store.launches(db, orgId, limit)).map(view));
  }

  /** The launch job (see launch-job.ts). */
  function launchJob(job: JobContext): Promise<void> {
    return runLaunch(deps, job, instructionFromPayload(job.payload), job.attempt >= LAUNCH_ATTEMPTS);
  }

  return { launchInstance, getLaunch, listLaunches, launchJob };
}

export type LaunchesService = ReturnType<typeof createLaunchesService>;
