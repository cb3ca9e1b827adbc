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
  spec: {
    readonly key: (t: T) => string;
    readonly label: string;
    readonly show: (t: T) => string;
    readonly attention?: (action: FactChange['action'], b: T | null, a: T | null) => boolean;
  },
): void {
  const { key, label, show, attention = () => false } = spec;
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
  keyed(emit, before, after, {
    key: (s) => s,
    label,
    show: () => '',
    attention: (action) => attentionOnAdd && action === 'added',
  });
}

function scalar(
  emit: Emit,
  input: {
    readonly id: string;
    readonly label: string;
    readonly before: string | null;
    readonly after: string | null;
    readonly attention?: boolean;
  },
): void {
  const { id, label, before, after, attention = false } = input;
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
  scalar(emit, {
    id: 'PermitRootLogin',
    label: 'sshd PermitRootLogin',
    before: b.permitRootLogin,
    after: a.permitRootLogin,
    attention: a.permitRootLogin === 'yes',
  });
  scalar(emit, {
    id: 'PasswordAuthentication',
    label: 'sshd PasswordAuthentication',
    before: yn(b.passwordAuthentication),
    after: yn(a.passwordAuthentication),
    attention: a.passwordAuthentication === true,
  });
  scalar(emit, {
    id: 'PermitEmptyPasswords',
    label: 'sshd PermitEmptyPasswords',
    before: yn(b.permitEmptyPasswords),
    after: yn(a.permitEmptyPasswords),
    attention: a.permitEmptyPasswords === true,
  });
  scalar(emit, {
    id: 'PubkeyAuthentication',
    label: 'sshd PubkeyAuthentication',
    before: yn(b.pubkeyAuthentication),
    after: yn(a.pubkeyAuthentication),
  });
  scalar(emit, { id: 'Port', label: 'sshd Port', before: b.ports.join(', '), after: a.ports.join(', ') });
  scalar(emit, {
    id: 'AllowUsers',
    label: 'sshd AllowUsers',
    before: b.allowUsers.join(' '),
    after: a.allowUsers.join(' '),
  });
  scalar(emit, {
    id: 'AllowGroups',
    label: 'sshd AllowGroups',
    before: b.allowGroups.join(' '),
    after: a.allowGroups.join(' '),
  });
}

function serviceConfig(emit: Emit, b: Facts['serviceConfig'], a: Facts['serviceConfig']): void {
  const wide = (listen: readonly string[]): boolean =>
    listen.some((l) => l === '*' || l === '0.0.0.0' || l === '::' || l === '');
  if (b.mysql && a.mysql) {
    scalar(emit, {
      id: 'mysql version',
      label: 'MySQL/MariaDB version',
      before: b.mysql.version,
      after: a.mysql.version,
    });
    scalar(emit, {
      id: 'mysql listen',
      label: 'MySQL/MariaDB listen address',
      before: b.mysql.listen.join(', '),
      after: a.mysql.listen.join(', '),
      attention: wide(a.mysql.listen) && !wide(b.mysql.listen),
    });
    sets(emit, b.mysql.databases, a.mysql.databases, 'MySQL/MariaDB database', false);
  }
  if (b.postgresql && a.postgresql) {
    scalar(emit, {
      id: 'postgresql version',
      label: 'PostgreSQL version',
      before: b.postgresql.version,
      after: a.postgresql.version,
    });
    scalar(emit, {
      id: 'postgresql listen',
      label: 'PostgreSQL listen_addresses',
      before: b.postgresql.listen.join(', '),
      after: a.postgresql.listen.join(', '),
      attention: wide(a.postgresql.listen) && !wide(b.postgresql.listen),
    });
    sets(emit, b.postgresql.databases, a.postgresql.databases, 'PostgreSQL database', false);
    const hba = (r: (typeof a.postgresql.hba)[number]): string =>
      `${r.type} ${r.database} ${r.user} ${r.address ?? ''} ${r.method}`.replace(/\s+/g, ' ');
    keyed(emit, b.postgresql.hba, a.postgresql.hba, {
      key: hba,
      label: 'pg_hba rule',
      show: () => '',
      attention: (action, _, r) => action === 'added' && r?.method === 'trust',
    });
  }
  if (b.redis && a.redis) {
    scalar(emit, {
      id: 'redis password',
      label: 'Redis requirepass set',
      before: yn(b.redis.passwordSet),
      after: yn(a.redis.passwordSet),
      attention: !a.redis.passwordSet && b.redis.passwordSet,
    });
    scalar(emit, {
      id: 'redis bind',
      label: 'Redis bind',
      before: b.redis.bind.join(' '),
      after: a.redis.bind.join(' '),
    });
  }
  scalar(emit, {
    id: 'php versions',
    label: 'PHP versions',
    before: b.php.versions.join(', '),
    after: a.php.versions.join(', '),
  });
}

/** The changes from `before` to `after`, ordered by category, then identity, then action. */
export function diffFacts(before: Facts, after: Facts): FactChange[] {
  const out: FactChange[] = [];
  const emitter =
    (category: ChangeCategory): Emit =>
    (c) =>
      out.push({ category, ...c });

  const id = emitter('identity');
  scalar(id, { id: 'hostname', label: 'Host name', before: before.identity.hostname, after: after.identity.hostname });
  scalar(id, { id: 'fqdn', label: 'Fully qualified name', before: before.identity.fqdn, after: after.identity.fqdn });
  scalar(id, {
    id: 'machine-id',
    label: 'Machine id',
    before: before.identity.machineId,
    after: after.identity.machineId,
    attention: true,
  });
  const addr = (x: Facts['identity']['addresses'][number]): string =>
    `${x.interface} ${x.address}/${x.prefixLength ?? ''}`;
  sets(id, before.identity.addresses.map(addr), after.identity.addresses.map(addr), 'Address', false);

  const os = emitter('os');
  scalar(os, { id: 'release', label: 'Operating system', before: before.os.prettyName, after: after.os.prettyName });
  scalar(os, { id: 'kernel', label: 'Kernel', before: before.os.kernel.release, after: after.os.kernel.release });

  sets(emitter('uid0'), before.admins.uid0, after.admins.uid0, 'uid-0 account', true);
  sets(emitter('admins'), before.admins.effective, after.admins.effective, 'Administrator', true);
  const grant = (g: Facts['admins']['grants'][number]): string =>
    `${g.via} ${g.principalType === 'group' ? '%' : ''}${g.principal} ${g.hosts}=(${g.runAs ?? ''}) ${g.noPassword ? 'NOPASSWD: ' : ''}${g.commands} [${g.source}]`;
  keyed(emitter('sudo_grants'), before.admins.grants, after.admins.grants, {
    key: grant,
    label: 'Grant',
    show: () => '',
    attention: (action) => action === 'added',
  });
  const members = (f: Facts): string[] => f.admins.adminGroups.flatMap((g) => g.members.map((m) => `${g.group}:${m}`));
  sets(emitter('admin_groups'), members(before), members(after), 'Admin group member', true);

  keyed(emitter('users'), before.users, after.users, {
    key: (u) => u.name,
    label: 'User',
    show: (u) => `uid ${u.uid}, gid ${u.gid}, ${u.shell}, ${u.home}, password ${u.password}`,
    attention: (action, b, a) =>
      (action === 'added' && (a?.loginShell ?? false)) ||
      (a?.uid === 0 && b?.uid !== 0) ||
      (a?.password === 'empty' && b?.password !== 'empty'),
  });

  keyed(emitter('authorized_keys'), before.sshKeys.authorized, after.sshKeys.authorized, {
    key: (k) => `${k.user} ${k.fingerprint}`,
    label: 'Authorized key',
    show: (k) => `${k.type} ${k.comment} in ${k.file}${k.options.length > 0 ? ` (${k.options.join(',')})` : ''}`,
    attention: (action) => action === 'added',
  });
  keyed(emitter('host_keys'), before.sshKeys.host, after.sshKeys.host, {
    key: (k) => k.type,
    label: 'Host key',
    show: (k) => k.fingerprint,
    attention: (action) => action !== 'removed',
  });

  keyed(emitter('ports'), before.ports, after.ports, {
    key: (p) => `${p.proto} ${p.address.includes(':') ? `[${p.address}]` : p.address}:${p.port}`,
    label: 'Listening port',
    show: (p) => p.process ?? 'unknown process',
    attention: (action) => action === 'added',
  });
  keyed(emitter('db_admins'), before.dbAdmins, after.dbAdmins, {
    key: (d) => `${d.engine} ${d.name}${d.host ? `@${d.host}` : ''}`,
    label: 'Database account',
    show: (d) => (d.superuser ? `superuser${d.detail ? ` (${d.detail})` : ''}` : 'not a superuser'),
    attention: (action, b, a) => (a?.superuser ?? false) && (action === 'added' || !(b?.superuser ?? false)),
  });
  sshd(emitter('ssh_config'), before.serviceConfig.sshd, after.serviceConfig.sshd);

  keyed(emitter('packages'), before.packages, after.packages, {
    key: (p) => `${p.name}${p.arch ? ` (${p.arch})` : ''}`,
    label: 'Package',
    show: (p) => p.version,
  });
  keyed(emitter('applications'), before.applications, after.applications, {
    key: (a) => `${a.name}${a.location ? ` at ${a.location}` : ''}`,
    label: 'Application',
    show: (a) => a.version ?? 'version unknown',
  });
  keyed(emitter('services'), before.services, after.services, {
    key: (s) => s.name,
    label: 'Service',
    show: (s) => `${s.state}${s.enabled === null ? '' : s.enabled ? ', enabled' : ', disabled'}`,
  });
  keyed(emitter('containers'), before.containers, after.containers, {
    key: (c) => c.name,
    label: 'Container',
    show: (c) => c.image,
  });
  sets(
    emitter('processes'),
    before.processes.map((p) => p.command),
    after.processes.map((p) => p.command),
    'Program',
    false,
  );

  keyed(emitter('certificates'), before.certificates, after.certificates, {
    key: (c) => c.paths[0] ?? c.fingerprint256,
    label: 'Certificate',
    show: (c) => `${c.subject}, expires ${c.notAfter.slice(0, 10)}`,
  });
  keyed(emitter('web_sites'), before.serviceConfig.webSites, after.serviceConfig.webSites, {
    key: (s) => `${s.server} ${s.names.join(' ') || '(default)'} [${s.source}]`,
    label: 'Web site',
    show: (s) => `root ${s.roots.join(', ') || '(none)'}, listen ${s.listen.join(', ') || '(default)'}`,
  });
  serviceConfig(emitter('service_config'), before.serviceConfig, after.serviceConfig);
  keyed(emitter('config_files'), before.locations.configFiles, after.locations.configFiles, {
    key: (c) => c.path,
    label: 'Configuration file',
    show: (c) => (c.secretKeys.length > 0 ? `holds ${c.secretKeys.join(', ')}` : 'holds no credential'),
  });
  keyed(emitter('app_files'), before.locations.appFiles, after.locations.appFiles, {
    key: (a) => `${a.kind} ${a.path}`,
    label: 'Application install',
    show: (a) => a.version ?? 'version unknown',
  });
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
