/**
 * The organisation's backup key and its repositories. One restic password per organisation, sealed in the vault
 * under the organisation's scope, opens every repository it has; an owner can export it to open the backups
 * with restic alone. The default repository is a folder on the Steward host, made on first use.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Db, Executor } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, invalidInput, notFound } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import { secret, type Secret } from '../../kernel/secret.js';
import {
  assertValidHostname,
  assertValidUnixUser,
  generateEd25519KeyPair,
  parseOpenSshPublicKey,
  sha256Fingerprint,
} from '../../remote/index.js';
import { auditActor, type Actor } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { Vault } from '../vault/vault.service.js';
import { assertPath } from './backups.rules.js';
import { backupsStore, type RepositoryRow } from './backups.store.js';
import type { NewRepository, RepositoryLocation } from './backups.types.js';
import { explainFailure, S3_REFUSED, type Restic, type ResticTarget } from './restic.js';

export interface RepositoriesDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly vault: Pick<Vault, 'seal' | 'openText'>;
  readonly audit: Pick<AuditService, 'record'>;
  readonly orgs: Pick<OrgsService, 'requireMember'>;
  readonly restic: Restic;
  /** Where default repositories live (one folder per organisation). */
  readonly dir: string;
}

export const repositoryView = (r: RepositoryRow) => {
  const location = JSON.parse(r.location) as RepositoryLocation;
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    location,
    /** What restic calls it (no secret in it). */
    url: resticUrl(location),
    publicKey: r.public_key,
    isDefault: r.is_default === 1,
    initialised: r.initialised_at !== null,
    lastCheckAt: r.last_check_at,
    lastCheckStatus: r.last_check_status,
    lastCheckError: r.last_check_error,
    storedBytes: Number(r.stored_bytes),
    createdAt: r.created_at,
  };
};
export type RepositoryView = ReturnType<typeof repositoryView>;

export function resticUrl(l: RepositoryLocation): string {
  if (l.kind === 'local') return l.path;
  if (l.kind === 'sftp') return `sftp:${l.user}@${l.host}:${l.path}`;
  return `s3:${l.endpoint.replace(/\/+$/, '')}/${l.bucket}${l.prefix ? `/${l.prefix}` : ''}`;
}

const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const S3_PREFIX = /^[A-Za-z0-9!_.*'()/-]{0,200}$/;
const REGION = /^[a-z0-9-]{1,40}$/;

export function createRepositories(deps: RepositoriesDeps) {
  const { db, clock } = deps;

  /** The organisation's restic password, made (and sealed) on first use. */
  async function password(orgId: string): Promise<Secret<string>> {
    let row = await backupsStore.key(db, orgId);
    if (!row) {
      const value = randomBytes(32).toString('base64url');
      const sealed = await deps.vault.seal(
        { scope: orgId, table: 'backup_keys', column: 'password_sealed', row: orgId },
        secret(value),
      );
      await db.transaction().execute(async (trx) => {
        await backupsStore.insertKey(trx, { org_id: orgId, password_sealed: sealed, created_at: clock.iso() });
        await deps.audit.record(trx, { action: 'backup.key_created', orgId, actor: { type: 'system' } });
      });
      row = await backupsStore.key(db, orgId);
    }
    return deps.vault.openText(
      { scope: orgId, table: 'backup_keys', column: 'password_sealed', row: orgId },
      row!.password_sealed,
    );
  }

  /** How restic reaches a repository, its secrets opened from the vault for this one run. */
  async function targetOf(row: RepositoryRow): Promise<ResticTarget> {
    const l = JSON.parse(row.location) as RepositoryLocation;
    const opened = row.credential_sealed
      ? await deps.vault.openText(
          { scope: row.org_id, table: 'backup_repositories', column: 'credential_sealed', row: row.id },
          row.credential_sealed,
        )
      : undefined;
    if (l.kind === 'local') return { repository: l.path };
    if (l.kind === 'sftp')
      return {
        repository: resticUrl(l),
        sftp: { host: l.host, port: l.port, user: l.user, hostKeys: [l.hostKey], privateKey: opened! },
      };
    return {
      repository: resticUrl(l),
      env: { AWS_ACCESS_KEY_ID: l.accessKeyId, AWS_SECRET_ACCESS_KEY: opened!.reveal() },
      options: [`s3.region=${l.region}`, 's3.bucket-lookup=path'],
    };
  }

  /** Makes the repository (restic init) unless it exists and opens with the organisation's password. */
  async function initialise(row: RepositoryRow): Promise<void> {
    const target = await targetOf(row);
    const pw = await password(row.org_id);
    const l = JSON.parse(row.location) as RepositoryLocation;
    const exists = l.kind === 'local' ? existsSync(join(l.path, 'config')) : await opens(target, pw);
    if (!exists) await deps.restic.run(target, pw, ['init']);
    else if (l.kind === 'local') await deps.restic.run(target, pw, ['cat', 'config']);
    await backupsStore.updateRepository(db, row.id, { initialised_at: clock.iso() });
  }

  /** True when the repository exists and opens; false when there is none yet; throws when unreachable. */
  async function opens(target: ResticTarget, pw: Secret<string>): Promise<boolean> {
    const proc = await deps.restic.start(target, pw, ['cat', 'config']);
    const result = await proc.done;
    if (result.code === 0) return true;
    // A bucket that refuses the key also says "Is there a repository…?": the refusal is the answer.
    if (S3_REFUSED.test(result.stderr)) throw explainFailure(result, 'Opening the repository');
    if (
      /Is there a repository at the following location|does not exist|no such file|NoSuchKey|config: not found/i.test(
        result.stderr,
      )
    )
      return false;
    throw explainFailure(result, 'Opening the repository');
  }

  /** The organisation's default repository (a folder under the backup folder), made and initialised on first use. */
  async function defaultRepository(orgId: string, exec: Executor = db): Promise<RepositoryRow> {
    const found = await backupsStore.defaultRepository(exec, orgId);
    if (found) return found;
    const row: RepositoryRow = {
      id: newId('repo', clock.nowMs()),
      org_id: orgId,
      name: 'Steward host',
      kind: 'local',
      location: JSON.stringify({ kind: 'local', path: join(deps.dir, 'repos', orgId) } satisfies RepositoryLocation),
      credential_sealed: null,
      public_key: null,
      is_default: 1,
      initialised_at: null,
      last_check_at: null,
      last_check_status: null,
      last_check_error: null,
      stored_bytes: 0,
      created_by: null,
      created_at: clock.iso(),
    };
    await backupsStore.insertRepository(exec, row);
    return row;
  }

  async function requireRepository(orgId: string, id: string): Promise<RepositoryRow> {
    const row = await backupsStore.repository(db, orgId, id);
    if (!row) throw notFound('The backup repository');
    return row;
  }

  return {
    password,
    targetOf,
    initialise,
    defaultRepository,
    requireRepository,

    async list(actor: Actor, orgId: string, ctx: RequestContext): Promise<RepositoryView[]> {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      return (await backupsStore.repositories(db, orgId)).map(repositoryView);
    },

    /**
     * Adds an SFTP host or S3 bucket. An S3 repository is initialised at once (a refusal stores nothing); an SFTP
     * one gets its own key pair, whose public half the customer authorises on the backup host before `verify`.
     */
    async add(actor: Actor, orgId: string, input: NewRepository, ctx: RequestContext): Promise<RepositoryView> {
      await deps.orgs.requireMember(actor, orgId, 'owner', ctx);
      const id = newId('repo', clock.nowMs());
      let location: RepositoryLocation;
      let credential: Secret<string>;
      let publicKey: string | null = null;
      if (input.kind === 'sftp') {
        assertValidHostname(input.host);
        assertValidUnixUser(input.user);
        const port = input.port ?? 22;
        if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalidInput('port must be 1 to 65535.');
        try {
          parseOpenSshPublicKey(input.hostKey);
        } catch {
          throw invalidInput('hostKey must be the backup host’s public key line, as ssh-keyscan prints it.', {
            field: 'hostKey',
          });
        }
        const key = input.hostKey.trim().split(/\s+/).slice(0, 2).join(' ');
        location = {
          kind: 'sftp',
          host: input.host,
          port,
          user: input.user,
          path: assertPath(input.path, 'path'),
          hostKey: key,
        };
        const pair = generateEd25519KeyPair(`steward-backup-${id}`);
        credential = pair.privateKey;
        publicKey = pair.publicKey;
      } else {
        let url: URL;
        try {
          url = new URL(input.endpoint);
        } catch {
          throw invalidInput('endpoint must be a URL such as https://s3.eu-west-1.amazonaws.com.', {
            field: 'endpoint',
          });
        }
        if (
          (url.protocol !== 'https:' && url.protocol !== 'http:') ||
          url.pathname.length > 1 ||
          url.search ||
          url.username
        )
          throw invalidInput('endpoint must be http(s)://host[:port] with nothing after it.', { field: 'endpoint' });
        if (/^169\.254\./.test(url.hostname))
          throw invalidInput('endpoint must not be a link-local address.', { field: 'endpoint' });
        if (!S3_BUCKET.test(input.bucket)) throw invalidInput('bucket must be an S3 bucket name.', { field: 'bucket' });
        const prefix = (input.prefix ?? '').replace(/^\/+|\/+$/g, '');
        if (!S3_PREFIX.test(prefix))
          throw invalidInput('prefix has characters S3 keys should not.', { field: 'prefix' });
        const region = input.region ?? 'us-east-1';
        if (!REGION.test(region))
          throw invalidInput('region must be a region name such as eu-west-1.', { field: 'region' });
        if (!/^[A-Za-z0-9+/=_-]{3,128}$/.test(input.accessKeyId))
          throw invalidInput('accessKeyId does not look like an access key id.', { field: 'accessKeyId' });
        location = {
          kind: 's3',
          endpoint: url.origin,
          bucket: input.bucket,
          prefix,
          region,
          accessKeyId: input.accessKeyId,
        };
        credential = secret(input.secretAccessKey);
      }
      const sealed = await deps.vault.seal(
        { scope: orgId, table: 'backup_repositories', column: 'credential_sealed', row: id },
        credential,
      );
      const row: RepositoryRow = {
        id,
        org_id: orgId,
        name: input.name,
        kind: input.kind,
        location: JSON.stringify(location),
        credential_sealed: sealed,
        public_key: publicKey,
        is_default: 0,
        initialised_at: null,
        last_check_at: null,
        last_check_status: null,
        last_check_error: null,
        stored_bytes: 0,
        created_by: actor.userId,
        created_at: clock.iso(),
      };
      // S3 needs nothing from the customer first: prove it works before anything is kept.
      if (input.kind === 's3') await initialise(row);
      await db.transaction().execute(async (trx) => {
        await backupsStore.insertRepository(trx, { ...row, initialised_at: input.kind === 's3' ? clock.iso() : null });
        await deps.audit.record(
          trx,
          {
            action: 'backup.repository_added',
            orgId,
            actor: auditActor(actor),
            target: { type: 'backup_repository', id },
            details: {
              kind: input.kind,
              url: resticUrl(location),
              ...(publicKey ? { keyFingerprint: sha256Fingerprint(parseOpenSshPublicKey(publicKey).blob) } : {}),
            },
          },
          ctx,
        );
      });
      return repositoryView((await backupsStore.repository(db, orgId, id))!);
    },

    /** Initialises (or opens) a repository, e.g. once the SFTP host has Steward's key. */
    async verify(actor: Actor, orgId: string, id: string, ctx: RequestContext): Promise<RepositoryView> {
      await deps.orgs.requireMember(actor, orgId, 'owner', ctx);
      const row = await requireRepository(orgId, id);
      await initialise(row);
      return repositoryView((await backupsStore.repository(db, orgId, id))!);
    },

    async remove(actor: Actor, orgId: string, id: string, ctx: RequestContext): Promise<void> {
      await deps.orgs.requireMember(actor, orgId, 'owner', ctx);
      const row = await requireRepository(orgId, id);
      if (row.is_default === 1)
        throw new AppError('STEWARD_CONFLICT', 'The default repository on the Steward host stays.');
      if ((await backupsStore.plansOfRepository(db, id)).length > 0)
        throw new AppError('STEWARD_CONFLICT', 'Plans still write to this repository; move or delete them first.');
      await db.transaction().execute(async (trx) => {
        await backupsStore.deleteRepository(trx, id);
        await deps.audit.record(
          trx,
          {
            action: 'backup.repository_removed',
            orgId,
            actor: auditActor(actor),
            target: { type: 'backup_repository', id },
          },
          ctx,
        );
      });
    },

    /**
     * The organisation's repository password and where its repositories are, so its owners can open them with
     * restic alone. Owners only; audited.
     */
    async exportKey(actor: Actor, orgId: string, ctx: RequestContext) {
      await deps.orgs.requireMember(actor, orgId, 'owner', ctx);
      const pw = await password(orgId);
      await db.transaction().execute(async (trx) => {
        await backupsStore.markKeyExported(trx, orgId, clock.iso());
        await deps.audit.record(trx, { action: 'backup.key_exported', orgId, actor: auditActor(actor) }, ctx);
      });
      const repositories = (await backupsStore.repositories(db, orgId)).map(repositoryView);
      return {
        password: pw.reveal(),
        repositories: repositories.map((r) => ({ id: r.id, name: r.name, kind: r.kind, url: r.url })),
        howTo:
          'Save the password in a file only you can read, then: restic -r <url> --password-file <file> snapshots. ' +
          'Database restore points hold one file, <database>.sql (restic dump <snapshot> /<database>.sql); ' +
          'file restore points hold files.tar (restic dump <snapshot> /files.tar | tar -x).',
      };
    },
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
