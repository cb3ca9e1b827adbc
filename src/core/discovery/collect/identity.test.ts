/**
 * The identity section's fully qualified name without a process: `hostsname` reads /etc/hosts where the resolver
 * would, and must answer exactly what `hostname -f` answers there, or step aside. The oracle is `hostname -f`
 * itself, run in mount and UTS namespaces of its own with each case's files bound over /etc/hosts and
 * /etc/nsswitch.conf.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectShells, runSystemSections, SHELLS } from '../../../../testkit/system-sections.js';
import { quoteArg } from '../../../remote/index.js';

const root = mkdtempSync(join(tmpdir(), 'steward-identity-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Case {
  readonly name: string;
  readonly nsswitch: string | null;
  readonly hosts: string;
  /** What hostsname prints, or null where it must leave the answer to hostname -f. */
  readonly expected: string | null;
}

const FILES_DNS = 'passwd: files\nhosts:          files dns\nnetworks: files\n';
const CASES: readonly Case[] = [
  {
    name: 'files-first',
    nsswitch: FILES_DNS,
    hosts: '127.0.0.1 localhost\n127.0.1.1 web1.example.test web1\n',
    expected: 'web1.example.test',
  },
  {
    name: 'first-line-wins-ipv6',
    nsswitch: FILES_DNS,
    hosts: '::1 localhost\nfe80::1 web1.v6.test web1\n127.0.1.1 web1.example.test web1\n',
    expected: 'web1.v6.test',
  },
  {
    name: 'comments',
    nsswitch: '# hosts: dns files\nhosts:files myhostname dns\n',
    hosts: '# 10.0.0.1 web1.commented web1\n\n10.0.0.2\tweb1.tabbed.test\tweb1 # the web server\n',
    expected: 'web1.tabbed.test',
  },
  {
    name: 'named-first-on-its-line',
    nsswitch: FILES_DNS,
    hosts: '10.0.0.9 web1 web1-alias\n',
    expected: 'web1',
  },
  { name: 'dns-first', nsswitch: 'hosts: dns files\n', hosts: '127.0.1.1 web1.example.test web1\n', expected: null },
  { name: 'no-nsswitch', nsswitch: null, hosts: '127.0.1.1 web1.example.test web1\n', expected: null },
  { name: 'not-listed', nsswitch: FILES_DNS, hosts: '127.0.0.1 localhost\n', expected: null },
  {
    name: 'capitals',
    nsswitch: FILES_DNS,
    hosts: '127.0.0.1 localhost\n10.0.0.3 WEB1.example.test\n127.0.1.1 web1.example.test web1\n',
    expected: null,
  },
  {
    name: 'not-an-address',
    nsswitch: FILES_DNS,
    hosts: 'gateway web1.wrong.test web1\n127.0.1.1 web1.example.test web1\n',
    expected: 'web1.example.test',
  },
];

function tree(c: Case): string {
  const dir = join(root, c.name);
  mkdirSync(join(dir, 'etc'), { recursive: true });
  writeFileSync(join(dir, 'etc', 'hosts'), c.hosts);
  if (c.nsswitch !== null) writeFileSync(join(dir, 'etc', 'nsswitch.conf'), c.nsswitch);
  return dir;
}

/** hostsname over each case's tree, in one shell: "case<TAB>answer<TAB>status" a line. */
function hostsnames(shell: readonly string[], dirs: readonly [string, string][]): Map<string, [string, number]> {
  const body = dirs.map(
    ([name, dir]) => `_a=$(hostsname web1 ${quoteArg(dir)}); printf '%s\\t%s\\t%s\\n' ${quoteArg(name)} "$_a" $?`,
  );
  const stdout = runSystemSections(shell, 'IdentityBoundary0123456789', body);
  return new Map(
    stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t'))
      .map(([name, answer, status]) => [name!, [answer!, Number(status)]]),
  );
}

/** What `hostname -f` answers for a host named web1 that has the case's files. */
function resolverAnswer(dir: string, withNsswitch: boolean): string {
  const binds = [`mount --bind ${quoteArg(join(dir, 'etc', 'hosts'))} /etc/hosts`];
  if (withNsswitch) binds.push(`mount --bind ${quoteArg(join(dir, 'etc', 'nsswitch.conf'))} /etc/nsswitch.conf`);
  const r = spawnSync(
    'unshare',
    [
      '--mount',
      '--uts',
      '--propagation',
      'private',
      'sh',
      '-c',
      [...binds, 'hostname web1', 'hostname -f'].join(' && '),
    ],
    { encoding: 'utf8', timeout: 20_000 },
  );
  expect(r.status, `hostname -f in a namespace of its own failed (run as root, with util-linux): ${r.stderr}`).toBe(0);
  return r.stdout.trim();
}

describe('the fully qualified name from /etc/hosts', () => {
  expectShells();
  const dirs = CASES.map((c) => [c.name, tree(c)] as [string, string]);
  const byShell = SHELLS.map((shell) => hostsnames(shell, dirs));

  for (const c of CASES) {
    it(`${c.name}: ${c.expected === null ? 'leaves it to hostname -f' : `answers ${c.expected}`}`, () => {
      for (const answers of byShell) {
        expect(answers.get(c.name)).toEqual(c.expected === null ? ['', 1] : [c.expected, 0]);
      }
      // Where it answers, hostname -f with the same files answers the same.
      if (c.expected !== null) expect(resolverAnswer(join(root, c.name), c.nsswitch !== null)).toBe(c.expected);
    });
  }
});
