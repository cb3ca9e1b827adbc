import { createPrivateKey, randomBytes } from 'node:crypto';
import type { Db } from '../../../db/database.js';
import type { Clock } from '../../../kernel/clock.js';
import { AppError } from '../../../kernel/errors.js';
import { newId } from '../../../kernel/ids.js';
import { auditActor, type Actor } from '../../actor.js';
import type { AuditService, RequestContext } from '../../audit/audit.service.js';
import type { ServerGateway } from '../../servers/gateway.js';
import type { ServersService } from '../../servers/servers.service.js';
import type { UsersService } from '../../users/users.service.js';
import type { Vault } from '../../vault/vault.service.js';
import { effectiveState } from '../access.rules.js';
import { accessStore } from '../access.store.js';
import type { GrantsService } from '../grants.service.js';
import { generateCaKey, parsePublicKeyLine, signUserCertificate } from './ssh-cert.js';
import { installPrincipalArgv } from './principals.js';

export interface CaDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly vault: Pick<Vault, 'seal' | 'openText'>;
  readonly audit: Pick<AuditService, 'record' | 'recordAlone'>;
  readonly grants: Pick<GrantsService, 'requireActiveGrant'>;
  readonly users: Pick<UsersService, 'verifyStepUp'>;
  readonly servers: Pick<ServersService, 'rowById'>;
  readonly gateway: () => Pick<ServerGateway, 'withServer'>;
}

/** At most this long, whatever the grant says. */
const MAX_VALIDITY_MS = 60 * 60_000;
/** Back-dated so a server whose clock lags a little still accepts a fresh certificate. */
const BACKDATE_MS = 2 * 60_000;
const EXTENSIONS = ['permit-pty'];

const sealCtx = (orgId: string) => ({ scope: orgId, table: 'org_ca_keys', column: 'private_sealed', row: orgId });
export const principalFor = (grantId: string, serverId: string): string => `staff-${grantId}@${serverId}`;

/**
 * Each organisation's SSH certificate authority for staff who need their own OpenSSH client. Its key is sealed
 * in the vault and used only in memory. A certificate is minted only under an active grant with the terminal
 * action, after a fresh one-time code; it lives no longer than the grant and at most an hour, names the grant
 * (principal and key id) and permits a PTY only.
 */
export function createCaService(deps: CaDeps) {
  const { db, clock } = deps;
  let signatures = 0;

  async function ensureKey(orgId: string) {
    let row = await accessStore.caKey(db, orgId);
    if (!row) {
      const key = generateCaKey(`steward-staff-ca-${orgId}`);
      const sealed = await deps.vault.seal(sealCtx(orgId), key.privatePem);
      await accessStore.insertCaKey(db, {
        org_id: orgId,
        public_key: key.publicLine,
        fingerprint: key.fingerprint,
        private_sealed: sealed,
        created_at: clock.iso(),
      });
      row = (await accessStore.caKey(db, orgId))!;
    }
    return row;
  }

  async function issueCertificate(
    actor: Actor,
    grantId: string,
    input: { serverId: string; publicKey: string; totpCode: string; sourceAddress?: string },
    ctx: RequestContext,
  ) {
    const server = await deps.servers.rowById(input.serverId);
    const { grant, instruction } = await deps.grants.requireActiveGrant(
      actor,
      { kind: 'server', orgId: server?.org_id ?? '', serverId: input.serverId, grantId },
      'terminal',
      ctx,
    );
    const key = parsePublicKeyLine(input.publicKey);
    if (!(await deps.users.verifyStepUp(actor.userId, input.totpCode))) {
      await deps.audit.recordAlone(
        {
          action: 'access.denied',
          orgId: grant.org_id,
          actor: auditActor(actor),
          target: { type: 'grant', id: grant.id },
          result: 'denied',
          details: { reason: 'step_up', what: 'certificate' },
        },
        ctx,
      );
      throw new AppError(
        'STEWARD_STEP_UP_REQUIRED',
        'Enter the current one-time code from your authenticator app (each code works once).',
        { field: 'totpCode' },
      );
    }
    const ca = await ensureKey(grant.org_id);
    const principal = principalFor(grant.id, server!.id);
    // The server learns the principal under the grant's own login (ledgered like any other).
    await deps
      .gateway()
      .withServer(server!, instruction, 'certificate.principal', (session) =>
        session.exec(installPrincipalArgv(server!.username, principal)),
      );
    const privateKey = createPrivateKey((await deps.vault.openText(sealCtx(grant.org_id), ca.private_sealed)).reveal());
    return db.transaction().execute(async (trx) => {
      // Checked again where the certificate is recorded: a revocation since the first check wins (docs/decisions/0008-access.md).
      const fresh = await accessStore.grant(trx, grant.id);
      if (!fresh || effectiveState(fresh, clock.nowMs()) !== 'active')
        throw new AppError('STEWARD_NO_ACTIVE_GRANT', 'The grant ended while the certificate was being prepared.', {
          reason: 'revoked',
        });
      const now = clock.nowMs();
      const validAfter = new Date(now - BACKDATE_MS);
      const validBefore = new Date(Math.min(Date.parse(fresh.ends_at!), now + MAX_VALIDITY_MS));
      const serial = BigInt(`0x${randomBytes(8).toString('hex')}`) & 0x7fffffffffffffffn;
      const certificate = signUserCertificate(
        {
          publicKey: key,
          serial,
          keyId: grant.id,
          principals: [principal],
          validAfter,
          validBefore,
          extensions: EXTENSIONS,
          ...(input.sourceAddress ? { criticalOptions: { 'source-address': input.sourceAddress } } : {}),
        },
        { privateKey },
        grant.id,
      );
      signatures++;
      const id = newId('key', now);
      await accessStore.insertCertificate(trx, {
        id,
        org_id: grant.org_id,
        grant_id: grant.id,
        server_id: server!.id,
        staff_id: actor.userId,
        serial: serial.toString(),
        principal,
        key_fingerprint: key.fingerprint,
        valid_after: validAfter.toISOString(),
        valid_before: validBefore.toISOString(),
        created_at: clock.iso(),
      });
      await deps.audit.record(
        trx,
        {
          action: 'certificate.issued',
          orgId: grant.org_id,
          actor: auditActor(actor),
          target: { type: 'server', id: server!.id },
          details: {
            grant: grant.id,
            reason: grant.reason,
            principal,
            keyFingerprint: key.fingerprint,
            serial: serial.toString(),
            validAfter: validAfter.toISOString(),
            validBefore: validBefore.toISOString(),
          },
        },
        ctx,
      );
      return {
        certificate,
        principal,
        keyId: grant.id,
        serial: serial.toString(),
        validAfter: validAfter.toISOString(),
        validBefore: validBefore.toISOString(),
        login: server!.username,
        host: server!.address,
        port: server!.port,
        caFingerprint: ca.fingerprint,
      };
    });
  }

  return {
    issueCertificate,
    /** The organisation's CA public key line (what initial setup installs as TrustedUserCAKeys). */
    async publicKey(orgId: string): Promise<{ publicKey: string; fingerprint: string }> {
      const row = await ensureKey(orgId);
      return { publicKey: row.public_key, fingerprint: row.fingerprint };
    },
    /** Certificates signed by this process (tests prove refusals mint nothing). */
    signatures: (): number => signatures,
  };
}

export type CaService = ReturnType<typeof createCaService>;
