import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { AddressPolicySyntaxError, parseAddressPolicy, type AddressPolicy } from './addresses.js';
import { AppError } from './errors.js';
import { Secret } from './secret.js';

/**
 * The one place that reads the environment. Every setting is listed in VARIABLES (which also feeds
 * docs/configuration.md); values come from, in order of precedence: the environment, `<NAME>_FILE` (for
 * secrets: the file's content, trailing newline trimmed), the JSON file named by STEWARD_CONFIG_FILE, then the
 * default. No secret has a default.
 */

interface VariableDoc {
  readonly name: string;
  readonly doc: string;
  readonly secret?: boolean;
  readonly default?: string;
  /** NAME_FILE is kept as a path (read later, and rewritten by key rotation) rather than read here. */
  readonly fileIsPath?: boolean;
}

export const VARIABLES: readonly VariableDoc[] = [
  {
    name: 'STEWARD_CONFIG_FILE',
    doc: 'A JSON file of settings (keys are these variable names); the environment wins over it.',
  },
  { name: 'STEWARD_HOST', doc: 'Address the API and console listen on.', default: '127.0.0.1' },
  { name: 'STEWARD_PORT', doc: 'Port the API and console listen on.', default: '8080' },
  {
    name: 'STEWARD_PUBLIC_URL',
    doc: 'The URL people use to reach Steward (links in e-mail; https here makes cookies Secure).',
    default: 'http://127.0.0.1:8080',
  },
  { name: 'STEWARD_DATA_DIR', doc: 'Folder for the SQLite database and the generated root key.', default: './data' },
  {
    name: 'STEWARD_DATABASE_URL',
    doc: 'postgres://… to use PostgreSQL; sqlite:PATH (or unset) for SQLite in the data folder.',
    secret: true,
  },
  {
    name: 'STEWARD_ROOT_KEY',
    doc: 'Root key ring: `v1:<base64 32 bytes>[,v2:…]`. Unset: read STEWARD_ROOT_KEY_FILE or <data>/root.key (created 0600 on first start).',
    secret: true,
    fileIsPath: true,
  },
  {
    name: 'STEWARD_SMTP_URL',
    doc: 'SMTP server for outgoing mail, e.g. smtps://user:password@mail.example.com:465. Unset: mail stays in the outbox for the operator to see.',
    secret: true,
  },
  { name: 'STEWARD_MAIL_FROM', doc: 'Sender of Steward’s e-mail.', default: 'Steward <steward@localhost>' },
  { name: 'STEWARD_LOG_LEVEL', doc: 'trace, debug, info, warn, error, fatal or silent.', default: 'info' },
  { name: 'STEWARD_TRUST_PROXY', doc: 'Trust X-Forwarded-For from a reverse proxy (true/false).', default: 'false' },
  { name: 'STEWARD_BODY_LIMIT_BYTES', doc: 'Largest request body accepted.', default: '1048576' },
  { name: 'STEWARD_SESSION_IDLE_MINUTES', doc: 'A session ends after this long without use.', default: '120' },
  { name: 'STEWARD_SESSION_MAX_HOURS', doc: 'A session ends this long after sign-in, used or not.', default: '24' },
  {
    name: 'STEWARD_SIGNIN_ATTEMPTS',
    doc: 'Failed sign-ins to one account from one client address before each further try there must wait, the wait doubling with every failure (from any address: four times as many; from one address to any account: ten times). Nobody is locked out: the owner signing in from elsewhere waits at most a minute.',
    default: '5',
  },
  {
    name: 'STEWARD_SIGNIN_WINDOW_MINUTES',
    doc: 'How long a failed sign-in counts towards STEWARD_SIGNIN_ATTEMPTS.',
    default: '15',
  },
  {
    name: 'STEWARD_SIGNIN_MAX_DELAY_SECONDS',
    doc: 'The longest wait a client address is made to keep between failed sign-ins.',
    default: '900',
  },
  {
    name: 'STEWARD_SIGNUP_PER_ADDRESS',
    doc: 'Sign-ups one client address may make in STEWARD_SIGNUP_WINDOW_MINUTES (answered 429 beyond).',
    default: '5',
  },
  {
    name: 'STEWARD_SIGNUP_PER_DOMAIN',
    doc: 'Sign-ups for addresses of one e-mail domain in STEWARD_SIGNUP_WINDOW_MINUTES.',
    default: '20',
  },
  { name: 'STEWARD_SIGNUP_WINDOW_MINUTES', doc: 'Window of the sign-up limits.', default: '60' },
  {
    name: 'STEWARD_SIGNUP_CONFIRM_HOURS',
    doc: 'How long the confirmation link mailed at sign-up works; unconfirmed sign-ups are forgotten after it.',
    default: '24',
  },
  {
    name: 'STEWARD_METRICS_TOKEN',
    doc: 'Bearer token Prometheus sends to read /metrics (at least 32 characters). Unset: /metrics answers only admin staff.',
    secret: true,
  },
  {
    name: 'STEWARD_KEY_MAX_OPERATIONS',
    doc: 'Encryptions per data key before it is rotated automatically (AES-GCM random-nonce limit).',
    default: '3865470566',
  },
  {
    name: 'STEWARD_AUDIT_TIMEOUT_MS',
    doc: 'How long an action waits for its audit row before it is refused with 503.',
    default: '2000',
  },
  {
    name: 'STEWARD_AUDIT_SEAL_MS',
    doc: 'How often the sealer links new audit entries into the hash chain (entries are also sealed soon after each write).',
    default: '1000',
  },
  {
    name: 'STEWARD_AUDIT_CHECKPOINT_SECONDS',
    doc: 'How often (at most) a signed checkpoint of the audit chain is written, when the chain grew.',
    default: '60',
  },
  {
    name: 'STEWARD_AUDIT_CHECKPOINT_FILE',
    doc: 'Append-only file of signed audit checkpoints. Unset: audit-checkpoints.log beside the root key file (or in the data folder when the key comes from STEWARD_ROOT_KEY).',
  },
  { name: 'STEWARD_ARGON2_MEMORY_KIB', doc: 'argon2id memory cost for password hashes.', default: '19456' },
  { name: 'STEWARD_ARGON2_ITERATIONS', doc: 'argon2id time cost for password hashes.', default: '2' },
  {
    name: 'STEWARD_JOBS_POLL_MS',
    doc:
      'How often the embedded job runner looks for due jobs (idle, with nothing running, it backs off to every ' +
      '2 s; a job this process enqueues brings it back at once).',
    default: '500',
  },
  { name: 'STEWARD_JOBS_CONCURRENCY', doc: 'Jobs one worker process runs at once.', default: '8' },
  {
    name: 'STEWARD_SCHEDULER_TICK_MS',
    doc: 'How often a worker looks for standing schedules (scheduled discovery) that are due.',
    default: '30000',
  },
  {
    name: 'STEWARD_SSH_MAX_CONCURRENCY',
    doc: 'SSH commands and sessions one process runs at once across all servers.',
    default: '50',
  },
  {
    name: 'STEWARD_SSH_CONNECT_TIMEOUT_MS',
    doc: 'Time allowed for TCP connect, key exchange and login.',
    default: '15000',
  },
  { name: 'STEWARD_SSH_COMMAND_TIMEOUT_MS', doc: 'Default time limit of one remote command.', default: '600000' },
  {
    name: 'STEWARD_SERVER_ADDRESSES',
    doc: 'Which addresses customers’ servers may have, checked on every SSH connection (names are resolved and every address checked): classes public, private, loopback, link-local, metadata, self (Steward’s own addresses) and ranges like 10.20.0.0/16; a leading ! refuses a range. Unspecified, multicast and reserved addresses need an explicit range. See docs/decisions/0014-address-policy.md.',
    default: 'public,private',
  },
  // provisioning
  {
    name: 'STEWARD_PROVIDER_RATE_PER_SECOND',
    doc: 'Cloud provider requests per second per organisation (a token bucket; retries count too).',
    default: '10',
  },
  {
    name: 'STEWARD_PROVIDER_BURST',
    doc: 'Cloud provider requests one organisation may send at once after a quiet spell.',
    default: '20',
  },
  {
    name: 'STEWARD_PROVIDER_MAX_ATTEMPTS',
    doc: 'Attempts per cloud provider request, the first included (throttling and 5xx are retried with backoff).',
    default: '4',
  },
  {
    name: 'STEWARD_PROVIDER_POLL_MS',
    doc: 'How often a launch asks the provider whether the instance is running.',
    default: '2000',
  },
  {
    name: 'STEWARD_LAUNCH_TIMEOUT_SECONDS',
    doc: 'How long a launch waits for its instance to run with an address and show its SSH host keys on its console before it fails.',
    default: '600',
  },
  {
    name: 'STEWARD_INSTANCE_SYNC_SECONDS',
    doc: 'How often instance states are read from every connected account (0 turns the schedule off).',
    default: '300',
  },
  {
    name: 'STEWARD_SANDBOX_ENDPOINTS',
    doc: 'Accept provider accounts whose endpoint is on this machine (the sandbox clouds, plain http). Off by default: customers could otherwise point Steward at its own host.',
    default: 'false',
  },
  {
    name: 'STEWARD_AWS_ACCESS_KEY_ID',
    doc: 'The operator’s AWS access key id, used only to assume customers’ roles (accounts connected by role ARN).',
    secret: true,
  },
  { name: 'STEWARD_AWS_SECRET_ACCESS_KEY', doc: 'The secret access key for STEWARD_AWS_ACCESS_KEY_ID.', secret: true },
  // access (staff grants, web terminal)
  {
    name: 'STEWARD_TERMINAL_CHECK_MS',
    doc: 'How often each process re-reads, from the database, the grants behind its live terminal sessions (a revoked or expired grant ends them).',
    default: '1000',
  },
  {
    name: 'STEWARD_RECORDING_FLUSH_MS',
    doc: 'How often a terminal recording commits what it has (sealed) to the database; a crash loses at most this much.',
    default: '500',
  },
  {
    name: 'STEWARD_TERMINAL_STALE_SECONDS',
    doc: 'A live terminal session whose process has not written for this long is taken as cut by a crash (its recording is marked incomplete).',
    default: '30',
  },
  // privacy
  {
    name: 'STEWARD_ANALYTICS_IP_RETENTION_DAYS',
    doc: 'Days an analytics event keeps the visitor’s full IP address; after that the address is truncated (IPv4 to /24, IPv6 to /48). 0 truncates at once.',
    default: '30',
  },
  {
    name: 'STEWARD_ANALYTICS_RETENTION_DAYS',
    doc: 'Days analytics events are kept at all (then deleted).',
    default: '395',
  },
  {
    name: 'STEWARD_REFERRALS_PER_DAY',
    doc: 'Refer-a-friend mails one member may ask Steward to send in 24 hours.',
    default: '5',
  },
  // billing and the fraud and abuse review
  {
    name: 'STEWARD_BILLING_CURRENCY',
    doc: 'ISO 4217 currency of every plan and invoice (EUR, GBP, USD…); amounts use its decimal places.',
    default: 'EUR',
  },
  {
    name: 'STEWARD_BILLING_SELLER',
    doc: 'The operator’s name and address printed at the top of every invoice; separate lines with " | ".',
    default: 'Steward operator',
  },
  { name: 'STEWARD_INVOICE_PREFIX', doc: 'Invoice numbers read PREFIX-YEAR-000001.', default: 'INV' },
  { name: 'STEWARD_CREDIT_NOTE_PREFIX', doc: 'Credit note numbers read PREFIX-YEAR-000001.', default: 'CN' },
  { name: 'STEWARD_INVOICE_TERMS_DAYS', doc: 'Days from issue to an invoice’s due date.', default: '14' },
  {
    name: 'STEWARD_INVOICE_GRACE_DAYS',
    doc: 'Days after the due date before an unpaid invoice raises its organisation for staff review (nothing is ever deleted for it).',
    default: '14',
  },
  {
    name: 'STEWARD_RISK_ORGS_PER_ADDRESS',
    doc: 'Organisations created from one client address within STEWARD_RISK_WINDOW_HOURS that raise them for staff review.',
    default: '3',
  },
  {
    name: 'STEWARD_RISK_WINDOW_HOURS',
    doc: 'The window for STEWARD_RISK_ORGS_PER_ADDRESS.',
    default: '24',
  },
  // cluster (many nodes on PostgreSQL)
  {
    name: 'STEWARD_JOBS_SCHEMA',
    doc: 'PostgreSQL schema that holds the job queue (pg-boss); created on first start. Every node of a cluster must name the same one.',
    default: 'pgboss',
  },
  {
    name: 'STEWARD_JOBS_LEASE_SECONDS',
    doc: 'How long a running job stays claimed without a heartbeat from its worker (the visibility timeout): a job whose worker died is taken over by another after this.',
    default: '30',
  },
  {
    name: 'STEWARD_JOBS_PER_ORG',
    doc: 'Host jobs (task, command and discovery runs) one organisation may have running at once, across every worker.',
    default: '32',
  },
  {
    name: 'STEWARD_JOBS_PER_SERVER',
    doc: 'Host jobs that may run on one server at once, across every worker.',
    default: '1',
  },
  {
    name: 'STEWARD_STOP_GRACE_SECONDS',
    doc: 'On SIGTERM, how long a worker lets running jobs finish before it stops them and hands them back to the queue.',
    default: '20',
  },
  // monitoring, logs and detection
  {
    name: 'STEWARD_MONITORING_INTERVAL_SECONDS',
    doc: 'Sampling interval given to a server when monitoring is switched on without one (10 at the least).',
    default: '60',
  },
  {
    name: 'STEWARD_MONITORING_TICK_MS',
    doc: 'How often each worker looks for servers due for a sample.',
    default: '1000',
  },
  {
    name: 'STEWARD_MONITORING_CONCURRENCY',
    doc: 'Samples one worker takes at once (each is one command on a kept SSH login).',
    default: '32',
  },
  {
    name: 'STEWARD_MONITORING_LOGIN_IDLE_SECONDS',
    doc: 'How long a kept monitoring login may sit idle before it is closed (longer than the sampling interval keeps one login per server).',
    default: '600',
  },
  {
    name: 'STEWARD_MONITORING_INTEGRITY_MINUTES',
    doc: 'How often a sample also hashes the watched system binaries.',
    default: '15',
  },
  {
    name: 'STEWARD_METRICS_RAW_HOURS',
    doc: 'Hours raw metric points are kept; minute roll-ups remain after that.',
    default: '24',
  },
  { name: 'STEWARD_METRICS_MINUTE_DAYS', doc: 'Days minute roll-ups of metrics are kept.', default: '30' },
  { name: 'STEWARD_LOG_RETENTION_DAYS', doc: 'Days followed log lines are kept.', default: '7' },
  {
    name: 'STEWARD_LOG_READ_BYTES',
    doc: 'Most bytes read from one followed log per sample; a busier log catches up over the next samples.',
    default: '262144',
  },
  {
    name: 'STEWARD_DETECT_BRUTE_FORCE_FAILURES',
    doc: 'Failed SSH logins from one address within the window that make a brute-force finding.',
    default: '10',
  },
  { name: 'STEWARD_DETECT_BRUTE_FORCE_MINUTES', doc: 'The brute-force window, in minutes.', default: '10' },
  {
    name: 'STEWARD_DETECT_PINNED_MINUTES',
    doc: 'Minutes a miner-like process must keep a CPU busy (80 % or more) before it is a finding.',
    default: '10',
  },
  {
    name: 'STEWARD_DETECT_DISK_FULL_HOURS',
    doc: 'A disk that will be full within this many hours at its recent rate is reported as filling fast.',
    default: '2',
  },
  // backups
  {
    name: 'STEWARD_BACKUP_DIR',
    doc: 'Folder for the default backup repositories (one per organisation) and restic’s cache. Unset: <data>/backups.',
  },
  { name: 'STEWARD_RESTIC', doc: 'The restic program Steward runs (Debian package `restic`).', default: 'restic' },
  {
    name: 'STEWARD_BACKUP_CHECK_HOURS',
    doc: 'How often each backup repository is verified (`restic check`) and pruned of forgotten restore points.',
    default: '24',
  },
  {
    name: 'STEWARD_BACKUP_STALL_SECONDS',
    doc: 'A backup or restore that moves no bytes for this long (the target or the server stopped answering) is stopped and fails.',
    default: '300',
  },
];

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const schema = z.object({
  STEWARD_HOST: z.string().min(1),
  STEWARD_PORT: int(0, 65535),
  STEWARD_PUBLIC_URL: z.url({ protocol: /^https?$/ }),
  STEWARD_DATA_DIR: z.string().min(1),
  STEWARD_DATABASE_URL: z.string().optional(),
  STEWARD_ROOT_KEY: z.string().optional(),
  STEWARD_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  STEWARD_MAIL_FROM: z.string().min(3).max(200),
  STEWARD_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
  STEWARD_TRUST_PROXY: bool,
  STEWARD_BODY_LIMIT_BYTES: int(1024, 1024 * 1024 * 1024),
  STEWARD_SESSION_IDLE_MINUTES: int(1, 60 * 24 * 30),
  STEWARD_SESSION_MAX_HOURS: int(1, 24 * 90),
  STEWARD_SIGNIN_ATTEMPTS: int(1, 10_000),
  STEWARD_SIGNIN_WINDOW_MINUTES: int(1, 24 * 60),
  STEWARD_SIGNIN_MAX_DELAY_SECONDS: int(1, 24 * 3600),
  STEWARD_SIGNUP_PER_ADDRESS: int(1, 1_000_000),
  STEWARD_SIGNUP_PER_DOMAIN: int(1, 1_000_000),
  STEWARD_SIGNUP_WINDOW_MINUTES: int(1, 7 * 24 * 60),
  STEWARD_SIGNUP_CONFIRM_HOURS: int(1, 24 * 14),
  STEWARD_METRICS_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  STEWARD_KEY_MAX_OPERATIONS: int(2, 3_865_470_566),
  STEWARD_AUDIT_TIMEOUT_MS: int(100, 60_000),
  STEWARD_AUDIT_SEAL_MS: int(50, 60_000),
  STEWARD_AUDIT_CHECKPOINT_SECONDS: int(1, 86_400),
  STEWARD_AUDIT_CHECKPOINT_FILE: z.string().min(1).optional(),
  STEWARD_ARGON2_MEMORY_KIB: int(1024, 4 * 1024 * 1024),
  STEWARD_ARGON2_ITERATIONS: int(1, 100),
  STEWARD_JOBS_POLL_MS: int(10, 60_000),
  STEWARD_JOBS_CONCURRENCY: int(1, 1000),
  STEWARD_SCHEDULER_TICK_MS: int(50, 3_600_000),
  STEWARD_SSH_MAX_CONCURRENCY: int(1, 10_000),
  STEWARD_SSH_CONNECT_TIMEOUT_MS: int(500, 600_000),
  STEWARD_SSH_COMMAND_TIMEOUT_MS: int(1000, 24 * 3_600_000),
  STEWARD_SERVER_ADDRESSES: z.string().min(1),
  STEWARD_PROVIDER_RATE_PER_SECOND: z.coerce.number().min(0.01).max(10_000),
  STEWARD_PROVIDER_BURST: int(1, 10_000),
  STEWARD_PROVIDER_MAX_ATTEMPTS: int(1, 10),
  STEWARD_PROVIDER_POLL_MS: int(50, 600_000),
  STEWARD_LAUNCH_TIMEOUT_SECONDS: int(10, 24 * 3600),
  STEWARD_INSTANCE_SYNC_SECONDS: int(0, 7 * 24 * 3600),
  STEWARD_SANDBOX_ENDPOINTS: bool,
  STEWARD_AWS_ACCESS_KEY_ID: z
    .string()
    .regex(/^[A-Z0-9]{16,128}$/, 'must be an AWS access key id')
    .optional(),
  STEWARD_AWS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  STEWARD_TERMINAL_CHECK_MS: int(50, 60_000),
  STEWARD_RECORDING_FLUSH_MS: int(50, 10_000),
  STEWARD_TERMINAL_STALE_SECONDS: int(1, 24 * 3600),
  STEWARD_ANALYTICS_IP_RETENTION_DAYS: int(0, 3650),
  STEWARD_ANALYTICS_RETENTION_DAYS: int(1, 3650),
  STEWARD_REFERRALS_PER_DAY: int(0, 1000),
  STEWARD_BILLING_CURRENCY: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
  STEWARD_BILLING_SELLER: z.string().min(1).max(500),
  STEWARD_INVOICE_PREFIX: z.string().regex(/^[A-Z0-9]{1,10}$/, 'must be 1 to 10 capital letters or digits'),
  STEWARD_CREDIT_NOTE_PREFIX: z.string().regex(/^[A-Z0-9]{1,10}$/, 'must be 1 to 10 capital letters or digits'),
  STEWARD_INVOICE_TERMS_DAYS: int(0, 365),
  STEWARD_INVOICE_GRACE_DAYS: int(0, 365),
  STEWARD_RISK_ORGS_PER_ADDRESS: int(2, 10_000),
  STEWARD_RISK_WINDOW_HOURS: int(1, 24 * 90),
  // cluster
  STEWARD_JOBS_SCHEMA: z
    .string()
    .regex(
      /^[a-z_][a-z0-9_]{0,49}$/,
      'must be a lower-case PostgreSQL name (letters, digits, underscores; at most 50)',
    ),
  STEWARD_JOBS_LEASE_SECONDS: int(2, 3600),
  STEWARD_JOBS_PER_ORG: int(1, 10_000),
  STEWARD_JOBS_PER_SERVER: int(1, 100),
  STEWARD_STOP_GRACE_SECONDS: int(0, 3600),
  // monitoring
  STEWARD_MONITORING_INTERVAL_SECONDS: int(10, 86_400),
  STEWARD_MONITORING_TICK_MS: int(50, 60_000),
  STEWARD_MONITORING_CONCURRENCY: int(1, 1000),
  STEWARD_MONITORING_LOGIN_IDLE_SECONDS: int(10, 86_400),
  STEWARD_MONITORING_INTEGRITY_MINUTES: int(1, 7 * 24 * 60),
  STEWARD_METRICS_RAW_HOURS: int(1, 24 * 90),
  STEWARD_METRICS_MINUTE_DAYS: int(1, 3650),
  STEWARD_LOG_RETENTION_DAYS: int(1, 3650),
  STEWARD_LOG_READ_BYTES: int(4096, 4 * 1024 * 1024),
  STEWARD_DETECT_BRUTE_FORCE_FAILURES: int(2, 100_000),
  STEWARD_DETECT_BRUTE_FORCE_MINUTES: int(1, 24 * 60),
  STEWARD_DETECT_PINNED_MINUTES: int(1, 24 * 60),
  STEWARD_BACKUP_DIR: z.string().min(1).optional(),
  STEWARD_RESTIC: z.string().min(1),
  STEWARD_BACKUP_CHECK_HOURS: int(1, 24 * 90),
  STEWARD_BACKUP_STALL_SECONDS: int(2, 24 * 3600),
  STEWARD_DETECT_DISK_FULL_HOURS: z.coerce
    .number()
    .min(0.1)
    .max(24 * 30),
});

export type DatabaseTarget =
  { readonly engine: 'sqlite'; readonly path: string } | { readonly engine: 'postgres'; readonly url: Secret<string> };

export type RootKeySource =
  | { readonly kind: 'value'; readonly value: Secret<string>; readonly origin: string }
  | { readonly kind: 'file'; readonly path: string; readonly createIfMissing: boolean };

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly publicUrl: string;
  readonly cookieSecure: boolean;
  readonly dataDir: string;
  readonly database: DatabaseTarget;
  readonly rootKey: RootKeySource;
  readonly mail: { readonly smtpUrl: Secret<string> | undefined; readonly from: string };
  readonly logLevel: z.infer<typeof schema>['STEWARD_LOG_LEVEL'];
  readonly trustProxy: boolean;
  readonly bodyLimitBytes: number;
  readonly sessionIdleMs: number;
  readonly sessionMaxMs: number;
  readonly signinAttempts: number;
  readonly signinWindowMs: number;
  readonly signinMaxDelayMs: number;
  /** Sign-up limits per client address and per e-mail domain, and how long a confirmation link works. */
  readonly signup: {
    readonly perAddress: number;
    readonly perDomain: number;
    readonly windowMs: number;
    readonly confirmMs: number;
  };
  /** Bearer token for /metrics; undefined: only admin staff read it. */
  readonly metricsToken: Secret<string> | undefined;
  readonly keyMaxOperations: number;
  readonly auditTimeoutMs: number;
  /** The audit sealer's interval, the checkpoint interval and the checkpoint file. */
  readonly audit: {
    readonly sealIntervalMs: number;
    readonly checkpointEveryMs: number;
    readonly checkpointFile: string;
  };
  readonly argon2: { readonly memoryKib: number; readonly iterations: number };
  readonly jobs: { readonly pollMs: number; readonly concurrency: number };
  readonly schedulerTickMs: number;
  readonly ssh: {
    readonly maxConcurrency: number;
    readonly connectTimeoutMs: number;
    readonly commandTimeoutMs: number;
    /** STEWARD_SERVER_ADDRESSES: checked before every SSH connection to a customer's server. */
    readonly addressPolicy: AddressPolicy;
  };
  readonly provisioning: ProvisioningConfig;
  /** Privacy centre: analytics retention (raw IP, events) and the refer-a-friend rate limit. */
  readonly privacy: {
    readonly analyticsIpRetentionMs: number;
    readonly analyticsRetentionMs: number;
    readonly referralsPerDay: number;
  };
  /** Staff access: the terminal's grant check interval, recording flush interval, stale-session age. */
  readonly access: {
    readonly terminalCheckMs: number;
    readonly recordingFlushMs: number;
    readonly staleSessionMs: number;
  };
  /** Many nodes: the queue's schema (PostgreSQL), the job lease, cluster-wide caps on host jobs, the stop grace. */
  readonly cluster: ClusterConfig;
  /** Monitoring, operational logs and detection (docs/decisions/0009-monitoring.md). */
  readonly monitoring: MonitoringConfig;
  /** Plans, invoices and payments (docs/decisions/0018-billing.md). */
  readonly billing: {
    readonly currency: string;
    readonly seller: string;
    readonly invoicePrefix: string;
    readonly creditNotePrefix: string;
    readonly termsDays: number;
    readonly graceDays: number;
  };
  /** Risk signals that raise an organisation for the fraud and abuse review. */
  readonly risk: { readonly orgsPerAddress: number; readonly windowMs: number };
  /** Backups (docs/decisions/0016-backups.md). */
  readonly backups: {
    readonly dir: string;
    readonly restic: string;
    readonly checkEveryMs: number;
    /** A backup or restore moving no bytes for this long is stopped. */
    readonly stallMs: number;
  };
}

export interface MonitoringConfig {
  readonly defaultIntervalSeconds: number;
  readonly tickMs: number;
  readonly concurrency: number;
  readonly loginIdleMs: number;
  readonly integrityEveryMs: number;
  readonly rawRetentionMs: number;
  readonly minuteRetentionMs: number;
  readonly logRetentionMs: number;
  readonly logReadBytes: number;
  readonly detection: {
    readonly bruteForceFailures: number;
    readonly bruteForceWindowMinutes: number;
    readonly pinnedCpuPercent: number;
    readonly pinnedMinutes: number;
    readonly diskFullWithinHours: number;
  };
}

export interface ClusterConfig {
  readonly queueSchema: string;
  readonly leaseMs: number;
  readonly perOrg: number;
  readonly perServer: number;
  readonly stopGraceMs: number;
}

export interface ProvisioningConfig {
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly maxAttempts: number;
  readonly pollMs: number;
  readonly launchTimeoutMs: number;
  /** 0: no recurring status sync. */
  readonly syncIntervalMs: number;
  readonly allowLoopbackEndpoints: boolean;
  /** The operator's own AWS keys, for sts:AssumeRole into customers' roles. */
  readonly awsOperatorKey: { readonly accessKeyId: string; readonly secretAccessKey: Secret<string> } | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

function fail(message: string): never {
  throw new AppError('STEWARD_CONFIG_INVALID', message);
}

function readSecretFile(name: string, path: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    fail(`${name}_FILE names ${path}, which cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
}

function readConfigFile(path: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    fail(`STEWARD_CONFIG_FILE ${path} is not a readable JSON file: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    fail(`STEWARD_CONFIG_FILE ${path} must hold a JSON object.`);
  const known = new Set(VARIABLES.map((v) => v.name));
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!known.has(key)) fail(`STEWARD_CONFIG_FILE ${path} has an unknown setting ${key}.`);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
      fail(`${key} in ${path} must be a string, number or boolean.`);
    out[key] = String(value);
  }
  return out;
}

/** Collect raw values by precedence: environment, NAME_FILE, config file, default. */
function collect(env: Env): Record<string, string | undefined> {
  const fromFile = env.STEWARD_CONFIG_FILE ? readConfigFile(env.STEWARD_CONFIG_FILE) : {};
  const raw: Record<string, string | undefined> = {};
  for (const v of VARIABLES) {
    const direct = env[v.name];
    const file = env[`${v.name}_FILE`];
    if (direct !== undefined && direct !== '' && file) fail(`Set either ${v.name} or ${v.name}_FILE, not both.`);
    if (direct !== undefined && direct !== '') raw[v.name] = direct;
    else if (file && v.fileIsPath) raw[v.name] = undefined;
    else if (file)
      raw[v.name] = v.secret
        ? readSecretFile(v.name, file)
        : fail(`${v.name} is not a secret; set it directly, not through ${v.name}_FILE.`);
    else if (fromFile[v.name] !== undefined) raw[v.name] = fromFile[v.name];
    else raw[v.name] = v.default;
  }
  return raw;
}

function databaseTarget(url: string | undefined, dataDir: string): DatabaseTarget {
  if (url === undefined || url === '') return { engine: 'sqlite', path: resolve(dataDir, 'steward.db') };
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path === '') fail('STEWARD_DATABASE_URL sqlite: needs a path, e.g. sqlite:./data/steward.db');
    return { engine: 'sqlite', path: path === ':memory:' ? path : resolve(path) };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { engine: 'postgres', url: new Secret(url) };
  fail('STEWARD_DATABASE_URL must start with postgres://, postgresql:// or sqlite:.');
}

function operatorKey(id: string | undefined, secret: string | undefined): ProvisioningConfig['awsOperatorKey'] {
  if (id === undefined && secret === undefined) return undefined;
  if (id === undefined || secret === undefined)
    fail('Set both STEWARD_AWS_ACCESS_KEY_ID and STEWARD_AWS_SECRET_ACCESS_KEY, or neither.');
  return { accessKeyId: id, secretAccessKey: new Secret(secret) };
}

function addressPolicyFrom(spec: string): AddressPolicy {
  try {
    return parseAddressPolicy(spec);
  } catch (err) {
    if (err instanceof AddressPolicySyntaxError) fail(`STEWARD_SERVER_ADDRESSES ${err.message}.`);
    throw err;
  }
}

export function loadConfig(env: Env): Config {
  const raw = collect(env);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'configuration');
    fail(`${name} is invalid: ${issue.message}.`);
  }
  const c = parsed.data;
  const dataDir = resolve(c.STEWARD_DATA_DIR);
  let rootKey: RootKeySource;
  if (c.STEWARD_ROOT_KEY !== undefined) {
    rootKey = { kind: 'value', value: new Secret(c.STEWARD_ROOT_KEY), origin: 'STEWARD_ROOT_KEY' };
  } else if (env.STEWARD_ROOT_KEY_FILE) {
    rootKey = { kind: 'file', path: resolve(env.STEWARD_ROOT_KEY_FILE), createIfMissing: false };
  } else {
    rootKey = { kind: 'file', path: resolve(dataDir, 'root.key'), createIfMissing: true };
  }
  return {
    host: c.STEWARD_HOST,
    port: c.STEWARD_PORT,
    publicUrl: c.STEWARD_PUBLIC_URL.replace(/\/+$/, ''),
    cookieSecure: c.STEWARD_PUBLIC_URL.startsWith('https:'),
    dataDir,
    database: databaseTarget(c.STEWARD_DATABASE_URL, dataDir),
    rootKey,
    mail: { smtpUrl: c.STEWARD_SMTP_URL ? new Secret(c.STEWARD_SMTP_URL) : undefined, from: c.STEWARD_MAIL_FROM },
    logLevel: c.STEWARD_LOG_LEVEL,
    trustProxy: c.STEWARD_TRUST_PROXY,
    bodyLimitBytes: c.STEWARD_BODY_LIMIT_BYTES,
    sessionIdleMs: c.STEWARD_SESSION_IDLE_MINUTES * 60_000,
    sessionMaxMs: c.STEWARD_SESSION_MAX_HOURS * 3_600_000,
    signinAttempts: c.STEWARD_SIGNIN_ATTEMPTS,
    signinWindowMs: c.STEWARD_SIGNIN_WINDOW_MINUTES * 60_000,
    signinMaxDelayMs: c.STEWARD_SIGNIN_MAX_DELAY_SECONDS * 1000,
    signup: {
      perAddress: c.STEWARD_SIGNUP_PER_ADDRESS,
      perDomain: c.STEWARD_SIGNUP_PER_DOMAIN,
      windowMs: c.STEWARD_SIGNUP_WINDOW_MINUTES * 60_000,
      confirmMs: c.STEWARD_SIGNUP_CONFIRM_HOURS * 3_600_000,
    },
    metricsToken: c.STEWARD_METRICS_TOKEN ? new Secret(c.STEWARD_METRICS_TOKEN) : undefined,
    keyMaxOperations: c.STEWARD_KEY_MAX_OPERATIONS,
    auditTimeoutMs: c.STEWARD_AUDIT_TIMEOUT_MS,
    audit: {
      sealIntervalMs: c.STEWARD_AUDIT_SEAL_MS,
      checkpointEveryMs: c.STEWARD_AUDIT_CHECKPOINT_SECONDS * 1000,
      checkpointFile: resolve(
        c.STEWARD_AUDIT_CHECKPOINT_FILE ??
          resolve(rootKey.kind === 'file' ? dirname(rootKey.path) : dataDir, 'audit-checkpoints.log'),
      ),
    },
    argon2: { memoryKib: c.STEWARD_ARGON2_MEMORY_KIB, iterations: c.STEWARD_ARGON2_ITERATIONS },
    jobs: { pollMs: c.STEWARD_JOBS_POLL_MS, concurrency: c.STEWARD_JOBS_CONCURRENCY },
    schedulerTickMs: c.STEWARD_SCHEDULER_TICK_MS,
    ssh: {
      maxConcurrency: c.STEWARD_SSH_MAX_CONCURRENCY,
      connectTimeoutMs: c.STEWARD_SSH_CONNECT_TIMEOUT_MS,
      commandTimeoutMs: c.STEWARD_SSH_COMMAND_TIMEOUT_MS,
      addressPolicy: addressPolicyFrom(c.STEWARD_SERVER_ADDRESSES),
    },
    privacy: {
      analyticsIpRetentionMs: c.STEWARD_ANALYTICS_IP_RETENTION_DAYS * 86_400_000,
      analyticsRetentionMs: c.STEWARD_ANALYTICS_RETENTION_DAYS * 86_400_000,
      referralsPerDay: c.STEWARD_REFERRALS_PER_DAY,
    },
    billing: {
      currency: c.STEWARD_BILLING_CURRENCY,
      seller: c.STEWARD_BILLING_SELLER.split(/\s*\|\s*/).join('\n'),
      invoicePrefix: c.STEWARD_INVOICE_PREFIX,
      creditNotePrefix: c.STEWARD_CREDIT_NOTE_PREFIX,
      termsDays: c.STEWARD_INVOICE_TERMS_DAYS,
      graceDays: c.STEWARD_INVOICE_GRACE_DAYS,
    },
    risk: { orgsPerAddress: c.STEWARD_RISK_ORGS_PER_ADDRESS, windowMs: c.STEWARD_RISK_WINDOW_HOURS * 3_600_000 },
    provisioning: {
      ratePerSecond: c.STEWARD_PROVIDER_RATE_PER_SECOND,
      burst: c.STEWARD_PROVIDER_BURST,
      maxAttempts: c.STEWARD_PROVIDER_MAX_ATTEMPTS,
      pollMs: c.STEWARD_PROVIDER_POLL_MS,
      launchTimeoutMs: c.STEWARD_LAUNCH_TIMEOUT_SECONDS * 1000,
      syncIntervalMs: c.STEWARD_INSTANCE_SYNC_SECONDS * 1000,
      allowLoopbackEndpoints: c.STEWARD_SANDBOX_ENDPOINTS,
      awsOperatorKey: operatorKey(c.STEWARD_AWS_ACCESS_KEY_ID, c.STEWARD_AWS_SECRET_ACCESS_KEY),
    },
    access: {
      terminalCheckMs: c.STEWARD_TERMINAL_CHECK_MS,
      recordingFlushMs: c.STEWARD_RECORDING_FLUSH_MS,
      staleSessionMs: c.STEWARD_TERMINAL_STALE_SECONDS * 1000,
    },
    cluster: {
      queueSchema: c.STEWARD_JOBS_SCHEMA,
      leaseMs: c.STEWARD_JOBS_LEASE_SECONDS * 1000,
      perOrg: c.STEWARD_JOBS_PER_ORG,
      perServer: c.STEWARD_JOBS_PER_SERVER,
      stopGraceMs: c.STEWARD_STOP_GRACE_SECONDS * 1000,
    },
    backups: {
      dir: resolve(c.STEWARD_BACKUP_DIR ?? resolve(dataDir, 'backups')),
      restic: c.STEWARD_RESTIC,
      checkEveryMs: c.STEWARD_BACKUP_CHECK_HOURS * 3_600_000,
      stallMs: c.STEWARD_BACKUP_STALL_SECONDS * 1000,
    },
    monitoring: {
      defaultIntervalSeconds: c.STEWARD_MONITORING_INTERVAL_SECONDS,
      tickMs: c.STEWARD_MONITORING_TICK_MS,
      concurrency: c.STEWARD_MONITORING_CONCURRENCY,
      loginIdleMs: c.STEWARD_MONITORING_LOGIN_IDLE_SECONDS * 1000,
      integrityEveryMs: c.STEWARD_MONITORING_INTEGRITY_MINUTES * 60_000,
      rawRetentionMs: c.STEWARD_METRICS_RAW_HOURS * 3_600_000,
      minuteRetentionMs: c.STEWARD_METRICS_MINUTE_DAYS * 86_400_000,
      logRetentionMs: c.STEWARD_LOG_RETENTION_DAYS * 86_400_000,
      logReadBytes: c.STEWARD_LOG_READ_BYTES,
      detection: {
        bruteForceFailures: c.STEWARD_DETECT_BRUTE_FORCE_FAILURES,
        bruteForceWindowMinutes: c.STEWARD_DETECT_BRUTE_FORCE_MINUTES,
        pinnedCpuPercent: 80,
        pinnedMinutes: c.STEWARD_DETECT_PINNED_MINUTES,
        diskFullWithinHours: c.STEWARD_DETECT_DISK_FULL_HOURS,
      },
    },
  };
}

/** The process environment; only the CLI entry point calls this. */
export function processEnv(): Env {
  return process.env;
}
