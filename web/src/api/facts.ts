/**
 * What discovery learned about a server, as the console reads it. The API describes `facts` as an open JSON
 * object (its shape is the discovery facts model, schema version 1), so the console names the parts it shows
 * here and reads them defensively: a part a run could not collect is empty, never a crash.
 */

export interface Address {
  interface: string;
  family: 'inet' | 'inet6';
  address: string;
  prefixLength: number | null;
}

export interface Package {
  name: string;
  version: string;
  arch: string | null;
  manager: string;
}

export interface Application {
  kind: string;
  name: string;
  version: string | null;
  location: string | null;
  evidence: string[];
}

export interface Service {
  name: string;
  manager: string;
  state: 'running' | 'stopped' | 'failed' | 'unknown';
  enabled: boolean | null;
  description: string | null;
}

export interface ProcessSummary {
  command: string;
  users: string[];
  count: number;
}

export interface Container {
  name: string;
  image: string;
  status: string;
  ports: string;
}

export interface Port {
  proto: 'tcp' | 'udp';
  address: string;
  port: number;
  process: string | null;
}

export interface User {
  name: string;
  uid: number;
  home: string;
  shell: string;
  loginShell: boolean;
  password: 'set' | 'locked' | 'empty' | 'unknown';
}

export interface SudoGrant {
  principalType: string;
  principal: string;
  runAs: string | null;
  commands: string;
  noPassword: boolean;
  via: string;
  source: string;
}

export interface Admins {
  uid0: string[];
  adminGroups: { group: string; members: string[] }[];
  grants: SudoGrant[];
  effective: string[];
}

export interface DbAdmin {
  engine: string;
  name: string;
  host: string | null;
  superuser: boolean;
  source: string;
}

export interface AuthorizedKey {
  user: string;
  file: string;
  type: string;
  fingerprint: string;
  comment: string;
}

export interface HostKey {
  file: string;
  type: string;
  fingerprint: string;
}

export interface Certificate {
  paths: string[];
  subject: string;
  issuer: string;
  sans: string[];
  notAfter: string;
  daysLeft: number;
  expired: boolean;
  selfSigned: boolean;
}

export interface Disk {
  mount: string;
  filesystem: string;
  sizeKb: number;
  usedKb: number;
  usePercent: number;
}

export interface Performance {
  load: [number, number, number] | null;
  cpu: { count: number | null; model: string | null };
  memory: { totalKb: number | null; availableKb: number | null };
  disks: Disk[];
  processCount: number;
}

export interface DatabaseServer {
  version: string | null;
  dataDirectory: string | null;
  listen: string[];
  port: number | null;
  databases: string[];
}

export interface Sshd {
  ports: number[];
  permitRootLogin: string | null;
  passwordAuthentication: boolean | null;
  pubkeyAuthentication: boolean | null;
}

export interface WebSite {
  server: string;
  names: string[];
  roots: string[];
  listen: string[];
  source: string;
}

export interface LogFile {
  path: string;
  sizeBytes: number | null;
  modifiedAt: string | null;
  recentLines: string[];
}

export interface ConfigFile {
  path: string;
  format: string;
  keys: string[];
  secretKeys: string[];
}

export interface Locations {
  webRoots: string[];
  appFiles: { kind: string; path: string; name: string | null; version: string | null; running: boolean }[];
  dataDirectories: { engine: string; path: string }[];
  configFiles: ConfigFile[];
}

export interface Facts {
  collectedAt: string | null;
  privilege: string;
  complete: boolean;
  identity: { hostname: string | null; fqdn: string | null; addresses: Address[] };
  os: {
    prettyName: string | null;
    name: string | null;
    versionId: string | null;
    family: string;
    kernel: { release: string | null; machine: string | null };
    uptimeSeconds: number | null;
    virtualisation: string | null;
  };
  packages: Package[];
  applications: Application[];
  services: Service[];
  ports: Port[];
  processes: ProcessSummary[];
  containers: Container[];
  users: User[];
  admins: Admins;
  dbAdmins: DbAdmin[];
  sshKeys: { authorized: AuthorizedKey[]; host: HostKey[]; privateKeyFiles: { user: string; path: string }[] };
  certificates: Certificate[];
  performance: Performance;
  serviceConfig: {
    sshd: Sshd | null;
    webSites: WebSite[];
    mysql: DatabaseServer | null;
    postgresql: DatabaseServer | null;
  };
  logs: LogFile[];
  locations: Locations;
  notes: string[];
}

type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The facts object of an API answer, with every part the console shows present (empty when not collected). */
export function readFacts(raw: Json): Facts {
  const identity = obj(raw.identity);
  const os = obj(raw.os);
  const kernel = obj(os.kernel);
  const admins = obj(raw.admins);
  const keys = obj(raw.sshKeys);
  const perf = obj(raw.performance);
  const cpu = obj(perf.cpu);
  const memory = obj(perf.memory);
  const config = obj(raw.serviceConfig);
  const locations = obj(raw.locations);
  const load = list<number>(perf.load);
  const dbServer = (v: unknown): DatabaseServer | null => {
    if (!v || typeof v !== 'object') return null;
    const d = obj(v);
    return {
      version: str(d.version),
      dataDirectory: str(d.dataDirectory),
      listen: list(d.listen),
      port: num(d.port),
      databases: list(d.databases),
    };
  };
  const sshd = config.sshd && typeof config.sshd === 'object' ? (config.sshd as Sshd) : null;
  return {
    collectedAt: str(raw.collectedAt),
    privilege: str(raw.privilege) ?? 'unknown',
    complete: raw.complete === true,
    identity: { hostname: str(identity.hostname), fqdn: str(identity.fqdn), addresses: list(identity.addresses) },
    os: {
      prettyName: str(os.prettyName),
      name: str(os.name),
      versionId: str(os.versionId),
      family: str(os.family) ?? 'other',
      kernel: { release: str(kernel.release), machine: str(kernel.machine) },
      uptimeSeconds: num(os.uptimeSeconds),
      virtualisation: str(os.virtualisation),
    },
    packages: list(raw.packages),
    applications: list(raw.applications),
    services: list(raw.services),
    ports: list(raw.ports),
    processes: list(raw.processes),
    containers: list(raw.containers),
    users: list(raw.users),
    admins: {
      uid0: list(admins.uid0),
      adminGroups: list(admins.adminGroups),
      grants: list(admins.grants),
      effective: list(admins.effective),
    },
    dbAdmins: list(raw.dbAdmins),
    sshKeys: { authorized: list(keys.authorized), host: list(keys.host), privateKeyFiles: list(keys.privateKeyFiles) },
    certificates: list(raw.certificates),
    performance: {
      load: load.length === 3 ? [load[0]!, load[1]!, load[2]!] : null,
      cpu: { count: num(cpu.count), model: str(cpu.model) },
      memory: { totalKb: num(memory.totalKb), availableKb: num(memory.availableKb) },
      disks: list(perf.disks),
      processCount: num(perf.processCount) ?? 0,
    },
    serviceConfig: {
      sshd,
      webSites: list(config.webSites),
      mysql: dbServer(config.mysql),
      postgresql: dbServer(config.postgresql),
    },
    logs: list(raw.logs),
    locations: {
      webRoots: list(locations.webRoots),
      appFiles: list(locations.appFiles),
      dataDirectories: list(locations.dataDirectories),
      configFiles: list(locations.configFiles),
    },
    notes: list(raw.notes),
  };
}

/** "3 days", "5 hours", "12 minutes": how long a server has been up, for people. */
export function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  const units: [number, string][] = [
    [86_400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, name] of units) {
    const n = Math.floor(seconds / size);
    if (n >= 1) return `${n} ${name}${n === 1 ? '' : 's'}`;
  }
  return `${Math.max(0, Math.round(seconds))} seconds`;
}

/** Kilobytes as people read sizes: "512 MB", "7.8 GB". */
export function kib(kb: number | null): string {
  if (kb === null) return '—';
  if (kb >= 1024 * 1024) return `${(kb / 1024 / 1024).toFixed(1)} GB`;
  if (kb >= 1024) return `${Math.round(kb / 1024)} MB`;
  return `${kb} KB`;
}

export function bytes(n: number | null): string {
  return n === null ? '—' : n < 1024 ? `${n} B` : kib(Math.round(n / 1024));
}
