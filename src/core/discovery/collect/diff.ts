/**
 * "What changed" between two discovery runs, as a list a person can read. Items are matched by their
 * identity (a package by manager, name and architecture; a port by protocol, address and number; an
 * authorized key by user and fingerprint …), so a version bump reads as one change, not a removal and an
 * addition. Changes that matter for security (a new uid-0 account, a new sudoer, a new listening port, a new
 * authorized key, a changed host key …) carry `attention: true`.
 */
import type { Facts, SshdConfig } from './facts.js';
import { compareText } from './parsers/util.js';

export const CHANGE_CATEGORIES = [
  'identity',
  'os',
  'uid0',
  'admins',
  'sudo_grants',
  'admin_groups',
  'users',
  'authorized_keys',
  'host_keys',
  'ports',
  'db_admins',
  'ssh_config',
  'packages',
  'applications',
  'services',
  'containers',
  'processes',
  'certificates',
  'web_sites',
  'service_config',
  'config_files',
  'app_files',
  'web_roots',
  'data_directories',
] as const;
export type ChangeCategory = (typeof CHANGE_CATEGORIES)[number];

export interface FactChange {
  readonly category: ChangeCategory;
  readonly action: 'added' | 'removed' | 'changed';
  /** The item's identity within its category: `nginx (amd64)`, `tcp 0.0.0.0:8080`, `alice SHA256:…`. */
  readonly id: string;
  /** One sentence for a person. */
  readonly summary: string;
  readonly before: string | null;
  readonly after: string | null;
  /** Worth a person's attention from a security point of view. */
  readonly attention: boolean;
}

type Emit = (c: Omit<FactChange, 'category'>) => void;

/**
 * Diffs two keyed lists. `show` renders an item's comparable state; when it differs for the same key the item
 * `changed`. `attention` decides per action.
 */
function keyed<T>(
  emit: Emit,
  before: readonly T[],
  after: readonly T[],
  key: (t: T) => string,
  label: string,
  show: (t: T) => string,
  attention: (action: FactChange['action'], b: T | null, a: T | null) => boolean = () => false,
): void {
  const b = new Map(before.map((t) => [key(t), t]));
  const a = new Map(after.map((t) => [key(t), t]));
  for (const [k, item] of a) {
    const prev = b.get(k);
    if (prev === undefined) {
      emit({
        action: 'added',
        id: k,
        summary: `${label} ${k} appeared.`,
        before: null,
        after: show(item),
        attention: attention('added', null, item),
      });
    } else if (show(prev) !== show(item)) {
      emit({
        action: 'changed',
        id: k,
        summary: `${label} ${k} changed: ${show(prev)} → ${show(item)}.`,
        before: show(prev),
        after: show(item),
        attention: attention('changed', prev, item),
      });
    }
  }
  for (const [k, item] of b) {
    if (!a.has(k))
      emit({
        action: 'removed',
        id: k,
        summary: `${label} ${k} is gone.`,
        before: show(item),
        after: null,
        attention: attention('removed', item, null),
      });
  }
}

/** Diffs two sets of names. */
function sets(
  emit: Emit,
  before: readonly string[],
  after: readonly string[],
  label: string,
  attentionOnAdd: boolean,
): void {
  keyed(
    emit,
    before,
    after,
    (s) => s,
    label,
    () => '',
    (action) => attentionOnAdd && action === 'added',
  );
}

function scalar(
  emit: Emit,
  id: string,
  label: string,
  before: string | null,
  after: string | null,
  attention = false,
): void {
  if (before === after) return;
  const show = (v: string | null): string => (v === null || v === '' ? '(none)' : v);
  emit({
    action: 'changed',
    id,
    summary: `${label} changed: ${show(before)} → ${show(after)}.`,
    before,
    after,
    attention,
  });
}

const yn = (v: boolean | null): string => (v === null ? 'unknown' : v ? 'yes' : 'no');

function sshd(emit: Emit, b: SshdConfig | null, a: SshdConfig | null): void {
  if (!b || !a) return;
  scalar(
    emit,
    'PermitRootLogin',
    'sshd PermitRootLogin',
    b.permitRootLogin,
    a.permitRootLogin,
    a.permitRootLogin === 'yes',
  );
  scalar(
    emit,
    'PasswordAuthentication',
    'sshd PasswordAuthentication',
    yn(b.passwordAuthentication),
    yn(a.passwordAuthentication),
    a.passwordAuthentication === true,
  );
  scalar(
    emit,
    'PermitEmptyPasswords',
    'sshd PermitEmptyPasswords',
    yn(b.permitEmptyPasswords),
    yn(a.permitEmptyPasswords),
    a.permitEmptyPasswords === true,
  );
  scalar(
    emit,
    'PubkeyAuthentication',
    'sshd PubkeyAuthentication',
    yn(b.pubkeyAuthentication),
    yn(a.pubkeyAuthentication),
  );
  scalar(emit, 'Port', 'sshd Port', b.ports.join(', '), a.ports.join(', '));
  scalar(emit, 'AllowUsers', 'sshd AllowUsers', b.allowUsers.join(' '), a.allowUsers.join(' '));
  scalar(emit, 'AllowGroups', 'sshd AllowGroups', b.allowGroups.join(' '), a.allowGroups.join(' '));
}

function serviceConfig(emit: Emit, b: Facts['serviceConfig'], a: Facts['serviceConfig']): void {
  const wide = (listen: readonly string[]): boolean =>
    listen.some((l) => l === '*' || l === '0.0.0.0' || l === '::' || l === '');
  if (b.mysql && a.mysql) {
    scalar(emit, 'mysql version', 'MySQL/MariaDB version', b.mysql.version, a.mysql.version);
    scalar(
      emit,
      'mysql listen',
      'MySQL/MariaDB listen address',
      b.mysql.listen.join(', '),
      a.mysql.listen.join(', '),
      wide(a.mysql.listen) && !wide(b.mysql.listen),
    );
    sets(emit, b.mysql.databases, a.mysql.databases, 'MySQL/MariaDB database', false);
  }
  if (b.postgresql && a.postgresql) {
    scalar(emit, 'postgresql version', 'PostgreSQL version', b.postgresql.version, a.postgresql.version);
    scalar(
      emit,
      'postgresql listen',
      'PostgreSQL listen_addresses',
      b.postgresql.listen.join(', '),
      a.postgresql.listen.join(', '),
      wide(a.postgresql.listen) && !wide(b.postgresql.listen),
    );
    sets(emit, b.postgresql.databases, a.postgresql.databases, 'PostgreSQL database', false);
    const hba = (r: (typeof a.postgresql.hba)[number]): string =>
      `${r.type} ${r.database} ${r.user} ${r.address ?? ''} ${r.method}`.replace(/\s+/g, ' ');
    keyed(
      emit,
      b.postgresql.hba,
      a.postgresql.hba,
      hba,
      'pg_hba rule',
      () => '',
      (action, _, r) => action === 'added' && r?.method === 'trust',
    );
  }
  if (b.redis && a.redis) {
    scalar(
      emit,
      'redis password',
      'Redis requirepass set',
      yn(b.redis.passwordSet),
      yn(a.redis.passwordSet),
      !a.redis.passwordSet && b.redis.passwordSet,
    );
    scalar(emit, 'redis bind', 'Redis bind', b.redis.bind.join(' '), a.redis.bind.join(' '));
  }
  scalar(emit, 'php versions', 'PHP versions', b.php.versions.join(', '), a.php.versions.join(', '));
}

/** The changes from `before` to `after`, ordered by category, then identity, then action. */
export function diffFacts(before: Facts, after: Facts): FactChange[] {
  const out: FactChange[] = [];
  const emitter =
    (category: ChangeCategory): Emit =>
    (c) =>
      out.push({ category, ...c });

  const id = emitter('identity');
  scalar(id, 'hostname', 'Host name', before.identity.hostname, after.identity.hostname);
  scalar(id, 'fqdn', 'Fully qualified name', before.identity.fqdn, after.identity.fqdn);
  scalar(id, 'machine-id', 'Machine id', before.identity.machineId, after.identity.machineId, true);
  const addr = (x: Facts['identity']['addresses'][number]): string =>
    `${x.interface} ${x.address}/${x.prefixLength ?? ''}`;
  sets(id, before.identity.addresses.map(addr), after.identity.addresses.map(addr), 'Address', false);

  const os = emitter('os');
  scalar(os, 'release', 'Operating system', before.os.prettyName, after.os.prettyName);
  scalar(os, 'kernel', 'Kernel', before.os.kernel.release, after.os.kernel.release);

  sets(emitter('uid0'), before.admins.uid0, after.admins.uid0, 'uid-0 account', true);
  sets(emitter('admins'), before.admins.effective, after.admins.effective, 'Administrator', true);
  const grant = (g: Facts['admins']['grants'][number]): string =>
    `${g.via} ${g.principalType === 'group' ? '%' : ''}${g.principal} ${g.hosts}=(${g.runAs ?? ''}) ${g.noPassword ? 'NOPASSWD: ' : ''}${g.commands} [${g.source}]`;
  keyed(
    emitter('sudo_grants'),
    before.admins.grants,
    after.admins.grants,
    grant,
    'Grant',
    () => '',
    (action) => action === 'added',
  );
  const members = (f: Facts): string[] => f.admins.adminGroups.flatMap((g) => g.members.map((m) => `${g.group}:${m}`));
  sets(emitter('admin_groups'), members(before), members(after), 'Admin group member', true);

  keyed(
    emitter('users'),
    before.users,
    after.users,
    (u) => u.name,
    'User',
    (u) => `uid ${u.uid}, gid ${u.gid}, ${u.shell}, ${u.home}, password ${u.password}`,
    (action, b, a) =>
      (action === 'added' && (a?.loginShell ?? false)) ||
      (a?.uid === 0 && b?.uid !== 0) ||
      (a?.password === 'empty' && b?.password !== 'empty'),
  );

  keyed(
    emitter('authorized_keys'),
    before.sshKeys.authorized,
    after.sshKeys.authorized,
    (k) => `${k.user} ${k.fingerprint}`,
    'Authorized key',
    (k) => `${k.type} ${k.comment} in ${k.file}${k.options.length > 0 ? ` (${k.options.join(',')})` : ''}`,
    (action) => action === 'added',
  );
  keyed(
    emitter('host_keys'),
    before.sshKeys.host,
    after.sshKeys.host,
    (k) => k.type,
    'Host key',
    (k) => k.fingerprint,
    (action) => action !== 'removed',
  );

  keyed(
    emitter('ports'),
    before.ports,
    after.ports,
    (p) => `${p.proto} ${p.address.includes(':') ? `[${p.address}]` : p.address}:${p.port}`,
    'Listening port',
    (p) => p.process ?? 'unknown process',
    (action) => action === 'added',
  );
  keyed(
    emitter('db_admins'),
    before.dbAdmins,
    after.dbAdmins,
    (d) => `${d.engine} ${d.name}${d.host ? `@${d.host}` : ''}`,
    'Database account',
    (d) => (d.superuser ? `superuser${d.detail ? ` (${d.detail})` : ''}` : 'not a superuser'),
    (action, b, a) => (a?.superuser ?? false) && (action === 'added' || !(b?.superuser ?? false)),
  );
  sshd(emitter('ssh_config'), before.serviceConfig.sshd, after.serviceConfig.sshd);

  keyed(
    emitter('packages'),
    before.packages,
    after.packages,
    (p) => `${p.name}${p.arch ? ` (${p.arch})` : ''}`,
    'Package',
    (p) => p.version,
  );
  keyed(
    emitter('applications'),
    before.applications,
    after.applications,
    (a) => `${a.name}${a.location ? ` at ${a.location}` : ''}`,
    'Application',
    (a) => a.version ?? 'version unknown',
  );
  keyed(
    emitter('services'),
    before.services,
    after.services,
    (s) => s.name,
    'Service',
    (s) => `${s.state}${s.enabled === null ? '' : s.enabled ? ', enabled' : ', disabled'}`,
  );
  keyed(
    emitter('containers'),
    before.containers,
    after.containers,
    (c) => c.name,
    'Container',
    (c) => c.image,
  );
  sets(
    emitter('processes'),
    before.processes.map((p) => p.command),
    after.processes.map((p) => p.command),
    'Program',
    false,
  );

  keyed(
    emitter('certificates'),
    before.certificates,
    after.certificates,
    (c) => c.paths[0] ?? c.fingerprint256,
    'Certificate',
    (c) => `${c.subject}, expires ${c.notAfter.slice(0, 10)}`,
  );
  keyed(
    emitter('web_sites'),
    before.serviceConfig.webSites,
    after.serviceConfig.webSites,
    (s) => `${s.server} ${s.names.join(' ') || '(default)'} [${s.source}]`,
    'Web site',
    (s) => `root ${s.roots.join(', ') || '(none)'}, listen ${s.listen.join(', ') || '(default)'}`,
  );
  serviceConfig(emitter('service_config'), before.serviceConfig, after.serviceConfig);
  keyed(
    emitter('config_files'),
    before.locations.configFiles,
    after.locations.configFiles,
    (c) => c.path,
    'Configuration file',
    (c) => (c.secretKeys.length > 0 ? `holds ${c.secretKeys.join(', ')}` : 'holds no credential'),
  );
  keyed(
    emitter('app_files'),
    before.locations.appFiles,
    after.locations.appFiles,
    (a) => `${a.kind} ${a.path}`,
    'Application install',
    (a) => a.version ?? 'version unknown',
  );
  sets(emitter('web_roots'), before.locations.webRoots, after.locations.webRoots, 'Web root', false);
  sets(
    emitter('data_directories'),
    before.locations.dataDirectories.map((d) => `${d.engine} ${d.path}`),
    after.locations.dataDirectories.map((d) => `${d.engine} ${d.path}`),
    'Data directory',
    false,
  );

  const order = new Map<string, number>(CHANGE_CATEGORIES.map((c, i) => [c, i]));
  const actionOrder = { added: 0, removed: 1, changed: 2 };
  return out.sort(
    (x, y) =>
      (order.get(x.category) ?? 0) - (order.get(y.category) ?? 0) ||
      compareText(x.id, y.id) ||
      actionOrder[x.action] - actionOrder[y.action],
  );
}
