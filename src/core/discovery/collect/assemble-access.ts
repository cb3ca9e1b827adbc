/** Builds who-can-do-what facts: users, groups, administrators, database administrators and SSH keys. */
import type { Admins, AuthorizedKey, DbAdmin, Group, HostKey, SshKeys, SudoGrant, User } from './facts.js';
import type { Framed } from './framing.js';
import { SectionView, tagOwner } from './framing.js';
import { parseGroup, parsePasswd, parseShadowStatus, toUsers } from './parsers/accounts.js';
import { parseMysqlUsers, parsePgRoles } from './parsers/databases.js';
import { parseAuthorizedKeys } from './parsers/ssh-keys.js';
import { parseDoas, parseSudoers, sudoIncludesFile } from './parsers/sudoers.js';
import { compareText, uniqSorted } from './parsers/util.js';

const view = (f: Framed, name: string): SectionView => new SectionView(f.sections.get(name));

export function buildUsers(f: Framed): { users: User[]; groups: Group[] } {
  const s = view(f, 'users');
  const users = toUsers(
    parsePasswd(s.files('passwd')[0]?.content ?? null),
    parseShadowStatus(s.text('shadow-status') ?? []),
  );
  const groups = parseGroup(s.files('group')[0]?.content ?? null);
  users.sort((a, b) => a.uid - b.uid || compareText(a.name, b.name));
  groups.sort((a, b) => a.gid - b.gid || compareText(a.name, b.name));
  return { users, groups };
}

const ADMIN_GROUPS = ['sudo', 'wheel', 'admin'];

/** Group members including users whose primary group it is (/etc/group does not list those). */
function membersOf(group: Group, users: readonly User[]): string[] {
  return uniqSorted([...group.members, ...users.filter((u) => u.gid === group.gid).map((u) => u.name)]);
}

/** A grant that lets its holder run anything as root. */
function fullRoot(g: SudoGrant): boolean {
  const runsAsRoot = g.runAs === null || g.runAs === '' || /(^|[,:\s])(ALL|root)([,:\s)]|$)/.test(g.runAs);
  return runsAsRoot && /(^|[,\s])ALL\s*$/.test(g.commands.trim());
}

export function buildAdmins(f: Framed, users: readonly User[], groups: readonly Group[]): Admins {
  const s = view(f, 'access');
  const grants: SudoGrant[] = [];
  const aliases = new Map<string, string[]>();
  for (const file of s.files('sudoers')) {
    if (file.path.startsWith('/etc/sudoers.d/') && !sudoIncludesFile(file.path)) continue;
    const parsed = parseSudoers(file.content, file.path);
    grants.push(...parsed.grants);
    for (const [k, v] of parsed.userAliases) aliases.set(k, v);
  }
  for (const file of s.files('doas')) grants.push(...parseDoas(file.content, file.path));
  grants.sort(
    (a, b) =>
      compareText(a.source, b.source) || compareText(a.principal, b.principal) || compareText(a.commands, b.commands),
  );

  const uid0 = uniqSorted(users.filter((u) => u.uid === 0).map((u) => u.name));
  const groupByName = new Map(groups.map((g) => [g.name, g]));
  const adminGroups = ADMIN_GROUPS.flatMap((name) => {
    const g = groupByName.get(name);
    return g ? [{ group: name, members: membersOf(g, users) }] : [];
  });

  const effective = new Set(uid0);
  const sudoersRead = s.files('sudoers').length > 0 || s.files('doas').length > 0;
  const expandUser = (name: string, depth = 0): string[] => {
    if (name === 'ALL') return users.map((u) => u.name);
    const alias = aliases.get(name);
    if (alias && depth < 5)
      return alias.flatMap((n) => (n.startsWith('%') ? groupMembers(n.slice(1)) : expandUser(n, depth + 1)));
    if (name.startsWith('#')) return users.filter((u) => `#${u.uid}` === name).map((u) => u.name);
    return [name];
  };
  const groupMembers = (name: string): string[] => {
    const g = groupByName.get(name);
    return g ? membersOf(g, users) : [];
  };
  for (const g of grants) {
    if (!fullRoot(g)) continue;
    const names = g.principalType === 'group' ? groupMembers(g.principal) : expandUser(g.principal);
    for (const n of names) effective.add(n);
  }
  // Without a readable sudoers (an unprivileged run), the usual admin groups are the best evidence there is.
  if (!sudoersRead) for (const g of adminGroups) for (const m of g.members) effective.add(m);

  return { uid0, adminGroups, grants, effective: uniqSorted(effective) };
}

export function buildDbAdmins(f: Framed, fromConfig: readonly DbAdmin[]): DbAdmin[] {
  const s = view(f, 'databases');
  const mysql = parseMysqlUsers(s.text('mysql-users') ?? []);
  const pg = parsePgRoles(s.text('pg-roles') ?? []);
  const list: DbAdmin[] = [...mysql, ...pg];
  // Client option files only stand in for a server we could not ask.
  if (mysql.length === 0) list.push(...fromConfig.filter((d) => d.engine === 'mysql'));
  const byKey = new Map<string, DbAdmin>();
  for (const d of list) {
    const key = `${d.engine}\0${d.name}\0${d.host ?? ''}`;
    if (!byKey.has(key)) byKey.set(key, d);
  }
  return [...byKey.values()].sort(
    (a, b) => compareText(a.engine, b.engine) || compareText(a.name, b.name) || compareText(a.host ?? '', b.host ?? ''),
  );
}

export function buildSshKeys(f: Framed): SshKeys {
  const s = view(f, 'sshkeys');
  const authorized: AuthorizedKey[] = [];
  const seen = new Set<string>();
  for (const file of s.files('authorized_keys')) {
    const user = tagOwner(file) ?? '';
    for (const k of parseAuthorizedKeys(file.content)) {
      const key = `${user}\0${file.path}\0${k.fingerprint}`;
      if (seen.has(key)) continue;
      seen.add(key);
      authorized.push({
        user,
        file: file.path,
        type: k.type,
        bits: k.bits,
        fingerprint: k.fingerprint,
        comment: k.comment,
        options: k.options,
      });
    }
  }
  authorized.sort(
    (a, b) => compareText(a.user, b.user) || compareText(a.file, b.file) || compareText(a.fingerprint, b.fingerprint),
  );
  const host: HostKey[] = [];
  for (const file of s.files('host-key')) {
    const k = parseAuthorizedKeys(file.content)[0];
    if (k) host.push({ file: file.path, type: k.type, bits: k.bits, fingerprint: k.fingerprint });
  }
  host.sort((a, b) => compareText(a.file, b.file));
  const privateKeyFiles = (s.text('private-key-files') ?? []).flatMap((line) => {
    const m = /^(\S+) (\/.+)$/.exec(line);
    return m?.[1] && m[2] ? [{ user: m[1], path: m[2] }] : [];
  });
  privateKeyFiles.sort((a, b) => compareText(a.path, b.path) || compareText(a.user, b.user));
  return { authorized, host, privateKeyFiles };
}
