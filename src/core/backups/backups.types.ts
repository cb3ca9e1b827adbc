/** Domain types of backups: targets, plans, runs and restore points as the API shows them. */

export const PLAN_KINDS = ['mysql', 'postgresql', 'files'] as const;
export type PlanKind = (typeof PLAN_KINDS)[number];

export const DB_AUTH = ['login', 'found', 'given'] as const;
export type DbAuth = (typeof DB_AUTH)[number];

/** How many restore points to keep: the newest `last`, then one per day, week and month for that many. */
export interface KeepRules {
  readonly last: number;
  readonly daily: number;
  readonly weekly: number;
  readonly monthly: number;
}

export const DEFAULT_KEEP: KeepRules = { last: 3, daily: 7, weekly: 4, monthly: 6 };

/** Where restore points are kept. Secrets (SFTP key, S3 secret) never appear here. */
export type RepositoryLocation =
  | { readonly kind: 'local'; readonly path: string }
  | {
      readonly kind: 'sftp';
      readonly host: string;
      readonly port: number;
      readonly user: string;
      readonly path: string;
      readonly hostKey: string;
    }
  | {
      readonly kind: 's3';
      readonly endpoint: string;
      readonly bucket: string;
      readonly prefix: string;
      readonly region: string;
      readonly accessKeyId: string;
    };

export type NewRepository =
  | {
      readonly kind: 'sftp';
      readonly name: string;
      readonly host: string;
      readonly port?: number;
      readonly user: string;
      readonly path: string;
      readonly hostKey: string;
    }
  | {
      readonly kind: 's3';
      readonly name: string;
      readonly endpoint: string;
      readonly bucket: string;
      readonly prefix?: string;
      readonly region?: string;
      readonly accessKeyId: string;
      readonly secretAccessKey: string;
    };

export interface PlanInput {
  readonly serverId: string;
  readonly name?: string;
  readonly kind: PlanKind;
  readonly database?: string;
  readonly paths?: readonly string[];
  readonly excludes?: readonly string[];
  readonly dbAuth?: DbAuth;
  readonly dbUser?: string;
  readonly dbSecretId?: string;
  readonly dbPassword?: string;
  readonly everyMinutes?: number;
  readonly keep?: Partial<KeepRules>;
  readonly repositoryId?: string;
  readonly enabled?: boolean;
}

export type PlanPatch = Partial<Omit<PlanInput, 'serverId' | 'kind'>>;

/** What a restore is asked to do. */
export interface RestoreInput {
  readonly snapshotId: string;
  /** Default: the server the restore point came from. */
  readonly targetServerId?: string;
  /** Databases: the database to write into (default: the one backed up). */
  readonly database?: string;
  /** Files: only these paths (default: everything in the restore point). */
  readonly paths?: readonly string[];
  /** Files: extract under this folder instead of the original places. */
  readonly into?: string;
  readonly dryRun?: boolean;
}

/** One line of a dry run: what the restore would do to one table or file. */
export interface PlannedChange {
  readonly action: 'create' | 'replace' | 'unchanged' | 'keep';
  readonly path: string;
  readonly detail?: string;
}
