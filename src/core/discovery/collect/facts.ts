/**
 * What self-discovery learns about a server. A `Facts` value is what the core stores, shows and diffs; it
 * never holds a secret value (credentials go to `FoundSecret` and from there into the vault). Arrays are
 * sorted by each item's identity so that two runs over an unchanged server serialise identically.
 */
import type { Secret } from '../../../kernel/secret.js';

export const FACTS_SCHEMA_VERSION = 1;

export type OsFamily =
  | 'debian'
  | 'rhel'
  | 'alpine'
  | 'suse'
  | 'arch'
  | 'gentoo'
  | 'solaris'
  | 'freebsd'
  | 'netbsd'
  | 'openbsd'
  | 'dragonfly'
  | 'other';

export interface IpAddress {
  readonly interface: string;
  readonly family: 'inet' | 'inet6';
  /** Address without prefix length. */
  readonly address: string;
  readonly prefixLength: number | null;
  readonly scope: string | null;
}

export interface Identity {
  readonly hostname: string | null;
  readonly fqdn: string | null;
  readonly machineId: string | null;
  readonly addresses: readonly IpAddress[];
}

export interface OsFacts {
  /**
   * os-release ID, e.g. `debian`, `rhel`, `alpine`; without a usable os-release, the same kind of name taken
   * from the release files or `uname` (`centos`, `sles`, `smartos`, `freebsd`). SLES for SAP is `sles_sap`.
   */
  readonly id: string | null;
  readonly idLike: readonly string[];
  /** Inferred from the ID when ID_LIKE is missing (openEuler, Kylin, UOS, Deepin, Devuan). */
  readonly family: OsFamily;
  readonly name: string | null;
  /** os-release VERSION_ID, or the version the release files give when there is no os-release. */
  readonly versionId: string | null;
  /** The most precise version known: `8.1.1911` where os-release says `8`, `11.4` from SLES 11's patch level. */
  readonly version: string | null;
  /** os-release VARIANT_ID (`sles-sap`, `server`), when there is one. */
  readonly variantId: string | null;
  readonly prettyName: string | null;
  /**
   * The distribution's own release line (`/etc/redhat-release`, `/etc/debian_version`, Solaris' `/etc/release`,
   * FreeBSD's userland version and the like).
   */
  readonly release: string | null;
  readonly kernel: { readonly name: string | null; readonly release: string | null; readonly machine: string | null };
  readonly uptimeSeconds: number | null;
  /** A hint such as `kvm`, `docker`, `amazon`, or null when nothing says. */
  readonly virtualisation: string | null;
}

export type PackageManager = 'dpkg' | 'rpm' | 'apk';

export interface Package {
  readonly name: string;
  readonly version: string;
  readonly arch: string | null;
  readonly manager: PackageManager;
}

export type ApplicationKind =
  | 'web_server'
  | 'database'
  | 'cache'
  | 'language_runtime'
  | 'cms'
  | 'node_app'
  | 'container_runtime'
  | 'container'
  | 'mail_server'
  | 'message_broker';

export interface Application {
  readonly kind: ApplicationKind;
  /** Stable name, e.g. `nginx`, `mariadb`, `wordpress`, `node-app`. */
  readonly name: string;
  readonly version: string | null;
  /** Where it lives, when it has a place (a WordPress install, a Node app directory). */
  readonly location: string | null;
  /** Why Steward believes it is there: `package:nginx`, `process:nginx`, `port:tcp/80`, `file:/var/www/x/wp-config.php`. */
  readonly evidence: readonly string[];
}

export type ServiceState = 'running' | 'stopped' | 'failed' | 'unknown';

export interface Service {
  readonly name: string;
  readonly manager: 'systemd' | 'openrc' | 'sysv';
  readonly state: ServiceState;
  /** Starts at boot; null when the manager does not say. */
  readonly enabled: boolean | null;
  readonly description: string | null;
}

/** Running programs by command name (pids change every run; the set of programs is what is worth diffing). */
export interface ProcessSummary {
  readonly command: string;
  readonly users: readonly string[];
  readonly count: number;
}

export interface Container {
  readonly name: string;
  readonly image: string;
  readonly id: string;
  readonly status: string;
  readonly ports: string;
}

/** An application install found on disk: a WordPress tree, a Node app's package.json, a Drupal site… */
export interface AppFile {
  readonly kind: 'wordpress' | 'node' | 'drupal' | 'joomla' | 'nextcloud';
  /** The application's directory. */
  readonly path: string;
  readonly name: string | null;
  readonly version: string | null;
  readonly frameworks: readonly string[];
  /** Seen as the working directory of a running process. */
  readonly running: boolean;
}

export interface ListeningPort {
  readonly proto: 'tcp' | 'udp';
  readonly address: string;
  readonly port: number;
  readonly process: string | null;
  readonly pid: number | null;
}

export interface User {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly gecos: string;
  readonly home: string;
  readonly shell: string;
  /** Has a shell one can log in with (not nologin/false). */
  readonly loginShell: boolean;
  /** From the shadow file, without its hash: `set`, `locked`, `empty` (no password at all) or `unknown`. */
  readonly password: 'set' | 'locked' | 'empty' | 'unknown';
}

export interface Group {
  readonly name: string;
  readonly gid: number;
  readonly members: readonly string[];
}

export interface SudoGrant {
  /** `user`, `group` (`%wheel`) or `alias` (a User_Alias name). */
  readonly principalType: 'user' | 'group' | 'alias';
  readonly principal: string;
  readonly hosts: string;
  readonly runAs: string | null;
  readonly commands: string;
  readonly noPassword: boolean;
  /** `sudoers` or `doas`. */
  readonly via: 'sudo' | 'doas';
  readonly source: string;
}

export interface Admins {
  /** Accounts with uid 0. */
  readonly uid0: readonly string[];
  /** Members of the usual administrator groups (sudo, wheel, admin), by group. */
  readonly adminGroups: readonly { readonly group: string; readonly members: readonly string[] }[];
  readonly grants: readonly SudoGrant[];
  /** Every account that can act as root by any of the above, sorted. */
  readonly effective: readonly string[];
}

export interface DbAdmin {
  readonly engine: 'mysql' | 'postgresql';
  readonly name: string;
  /** MySQL account host part (`localhost`, `%`); null for PostgreSQL. */
  readonly host: string | null;
  readonly superuser: boolean;
  readonly canLogin: boolean | null;
  /** `query`: the database told us; `config`: a client configuration file names the account. */
  readonly source: 'query' | 'config';
  readonly detail: string | null;
}

export interface AuthorizedKey {
  readonly user: string;
  readonly file: string;
  readonly type: string;
  readonly bits: number | null;
  /** `SHA256:` and unpadded base64, as `ssh-keygen -lf` prints it. */
  readonly fingerprint: string;
  readonly comment: string;
  readonly options: readonly string[];
}

export interface HostKey {
  readonly file: string;
  readonly type: string;
  readonly bits: number | null;
  readonly fingerprint: string;
}

export interface SshKeys {
  readonly authorized: readonly AuthorizedKey[];
  readonly host: readonly HostKey[];
  /** Private key files in users' ~/.ssh (only where they are; their content never leaves the server). */
  readonly privateKeyFiles: readonly { readonly user: string; readonly path: string }[];
}

export interface Certificate {
  /** Every file that holds this certificate first (a leaf can sit in cert.pem and fullchain.pem). */
  readonly paths: readonly string[];
  readonly subject: string;
  readonly issuer: string;
  readonly sans: readonly string[];
  readonly serial: string;
  readonly fingerprint256: string;
  readonly notBefore: string;
  readonly notAfter: string;
  /** Whole days from the run's `now` to `notAfter`; negative once expired. */
  readonly daysLeft: number;
  readonly expired: boolean;
  readonly selfSigned: boolean;
  readonly isCa: boolean;
  /** Certificates in the file, leaf included. */
  readonly chainLength: number;
}

export interface ProcessSample {
  readonly pid: number;
  readonly user: string | null;
  readonly command: string;
  /** Arguments with anything that looks like a password replaced by `[redacted]`. */
  readonly args: string;
  readonly cpuPercent: number | null;
  readonly memPercent: number | null;
  readonly rssKb: number | null;
}

export interface Disk {
  readonly filesystem: string;
  readonly mount: string;
  readonly sizeKb: number;
  readonly usedKb: number;
  readonly availableKb: number;
  readonly usePercent: number;
}

export interface Performance {
  readonly load: readonly [number, number, number] | null;
  readonly cpu: { readonly count: number | null; readonly model: string | null };
  readonly memory: {
    readonly totalKb: number | null;
    readonly availableKb: number | null;
    readonly swapTotalKb: number | null;
    readonly swapFreeKb: number | null;
  };
  readonly disks: readonly Disk[];
  readonly topCpu: readonly ProcessSample[];
  readonly topMemory: readonly ProcessSample[];
  readonly processCount: number;
}

export interface SshdConfig {
  readonly source: 'sshd -T' | 'sshd_config';
  readonly ports: readonly number[];
  readonly permitRootLogin: string | null;
  readonly passwordAuthentication: boolean | null;
  readonly pubkeyAuthentication: boolean | null;
  readonly permitEmptyPasswords: boolean | null;
  readonly kbdInteractiveAuthentication: boolean | null;
  readonly x11Forwarding: boolean | null;
  readonly maxAuthTries: number | null;
  readonly allowUsers: readonly string[];
  readonly allowGroups: readonly string[];
}

export interface WebSite {
  readonly server: 'nginx' | 'apache';
  readonly names: readonly string[];
  readonly roots: readonly string[];
  readonly listen: readonly string[];
  readonly certificates: readonly string[];
  readonly source: string;
}

export interface HbaRule {
  readonly type: string;
  readonly database: string;
  readonly user: string;
  readonly address: string | null;
  readonly method: string;
  readonly source: string;
}

export interface DatabaseServerConfig {
  readonly version: string | null;
  readonly dataDirectory: string | null;
  readonly listen: readonly string[];
  readonly port: number | null;
  readonly databases: readonly string[];
  readonly source: 'query' | 'config';
}

export interface ServiceConfig {
  readonly sshd: SshdConfig | null;
  readonly webSites: readonly WebSite[];
  readonly php: { readonly versions: readonly string[] };
  readonly mysql: DatabaseServerConfig | null;
  readonly postgresql: (DatabaseServerConfig & { readonly hba: readonly HbaRule[] }) | null;
  readonly redis: {
    readonly bind: readonly string[];
    readonly port: number | null;
    readonly dir: string | null;
    readonly passwordSet: boolean;
    readonly source: string;
  } | null;
  readonly mongodb: {
    readonly bindIp: string | null;
    readonly port: number | null;
    readonly dbPath: string | null;
    readonly authorization: string | null;
  } | null;
}

export interface LogFile {
  readonly path: string;
  readonly sizeBytes: number | null;
  readonly modifiedAt: string | null;
  readonly recentLines: readonly string[];
}

export interface ConfigFileRef {
  readonly path: string;
  readonly format: SecretSourceFormat;
  /** Names of the settings found; which of them held secrets is in `secretKeys` (the values are sealed). */
  readonly keys: readonly string[];
  readonly secretKeys: readonly string[];
}

export interface Locations {
  readonly webRoots: readonly string[];
  readonly appFiles: readonly AppFile[];
  readonly dataDirectories: readonly { readonly engine: string; readonly path: string }[];
  readonly configFiles: readonly ConfigFileRef[];
}

export interface Facts {
  readonly schemaVersion: typeof FACTS_SCHEMA_VERSION;
  readonly collectedAt: string;
  /** How the script ran: as root, through sudo, or as an ordinary user (much is then missing). */
  readonly privilege: 'root' | 'sudo' | 'user' | 'unknown';
  /** True when the output ended with the script's closing marker (nothing was cut off). */
  readonly complete: boolean;
  readonly identity: Identity;
  readonly os: OsFacts;
  readonly packages: readonly Package[];
  readonly applications: readonly Application[];
  readonly services: readonly Service[];
  readonly ports: readonly ListeningPort[];
  readonly processes: readonly ProcessSummary[];
  readonly containers: readonly Container[];
  readonly users: readonly User[];
  readonly groups: readonly Group[];
  readonly admins: Admins;
  readonly dbAdmins: readonly DbAdmin[];
  readonly sshKeys: SshKeys;
  readonly certificates: readonly Certificate[];
  readonly performance: Performance;
  readonly serviceConfig: ServiceConfig;
  readonly logs: readonly LogFile[];
  readonly locations: Locations;
  /** What could not be learned and why, for a person to read. */
  readonly notes: readonly string[];
}

export type SecretKind = 'password' | 'api_key' | 'private_key' | 'connection_string' | 'token';
export type SecretSourceFormat = 'env' | 'wp-config' | 'my.cnf' | 'pgpass' | 'redis' | 'php-config';

/**
 * A credential found in a configuration file. `value` is wrapped so that logging or serialising the object
 * by accident prints `[REDACTED]`; the core seals `value.reveal()` into the vault and keeps the rest.
 */
export interface FoundSecret {
  /** The file it was found in. */
  readonly location: string;
  readonly kind: SecretKind;
  /** The setting's name: `DB_PASSWORD`, `[client] password`, `requirepass`, `pgpass` … */
  readonly key: string;
  readonly value: Secret<string>;
  /** What the credential is for, without the credential itself. */
  readonly context: {
    readonly format: SecretSourceFormat;
    readonly line: number | null;
    readonly section?: string;
    readonly user?: string;
    readonly host?: string;
    readonly port?: string;
    readonly database?: string;
    /** The OS account whose home the file is in, when it is a per-user file. */
    readonly owner?: string;
  };
}

/** What one discovery run produced. */
export interface DiscoveryResult {
  readonly facts: Facts;
  readonly foundSecrets: readonly FoundSecret[];
  /** Host CPU per script step in clock ticks (see `Framed.cpuTicks`); not a fact, so never diffed or stored. */
  readonly hostCpuTicks: Readonly<Record<string, number>>;
  /** Fingerprints of the sections' inputs, to send with the next run (digits only, never a secret). */
  readonly fingerprints: Readonly<Record<string, string>>;
  /** Sections that answered `unchanged`; their facts were taken from `ParseOptions.previous`. */
  readonly unchangedSections: readonly string[];
}
