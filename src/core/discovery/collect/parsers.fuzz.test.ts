/**
 * Every parser is total: random and mangled input never throws. The runs are bounded so the suite stays fast.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixture } from '../fixtures/framed-output.js';
import { secretKind } from './classify.js';
import { frame } from './framing.js';
import { parseDiscoveryOutput } from './parse.js';
import { parseGroup, parsePasswd, parseShadowStatus } from './parsers/accounts.js';
import {
  parseDockerPs,
  parseNodeProcesses,
  parsePackageJson,
  parsePhpVersion,
  parseWpVersion,
  phpVersionFromDir,
} from './parsers/apps.js';
import { parsePemCertificates } from './parsers/certs.js';
import {
  parseConfGrep,
  parseMongodGrep,
  parseMysqlUsers,
  parsePairs,
  parsePgHba,
  parsePgRoles,
} from './parsers/databases.js';
import { parseEnvFile } from './parsers/env-file.js';
import { parseIfconfig, parseIpAddr } from './parsers/ip-addr.js';
import { parseMyCnf } from './parsers/my-cnf.js';
import { identifyOs, parseOsRelease } from './parsers/os-release.js';
import { parseApkDb, parseApkInfo, parseDpkg, parseRpm } from './parsers/packages.js';
import { parsePgpass } from './parsers/pgpass.js';
import { parsePhpConfig } from './parsers/php-config.js';
import { parseNetstat, parseProcNet, parseSs } from './parsers/ports.js';
import { parseCpu, parseDf, parseLoadavg, parseMeminfo, parseUptime, parseVirt } from './parsers/proc.js';
import { parseBusyboxPs, parseBusyboxTop, parseProcpsPs } from './parsers/ps.js';
import { parseRedisConf } from './parsers/redis-conf.js';
import {
  parseRcStatus,
  parseRcUpdate,
  parseSystemdUnitFiles,
  parseSystemdUnits,
  parseSysvStatus,
} from './parsers/services.js';
import { parseAuthorizedKeys } from './parsers/ssh-keys.js';
import { parseSshdConfig, parseSshdT } from './parsers/sshd.js';
import { parseDoas, parseSudoers } from './parsers/sudoers.js';
import { parseApacheGrep, parseNginxT } from './parsers/webservers.js';

/** Text that looks a little like command output: fragments of real syntax mixed with anything at all. */
const junk = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc.constantFrom(
        ':',
        '::',
        '|',
        '\t',
        '=',
        '"',
        "'",
        '\\',
        '[',
        ']',
        '{',
        '}',
        ';',
        '#',
        '%',
        'users:((',
        'pid=',
        'LISTEN',
        'UNCONN',
        '-----BEGIN CERTIFICATE-----',
        'define(',
        '=>',
        '$',
        'ssh-rsa AAAA',
        'P:',
        'V:',
        ' [ + ] ',
        '@@',
      ),
      fc.stringMatching(/^[ -~]{0,40}$/),
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join(''));
const lines = junk.map((t) => t.split('\n'));

const TEXT_PARSERS: [string, (s: string) => unknown][] = [
  ['os-release', parseOsRelease],
  // The same text as every release file at once, on each kind of system the identification branches on.
  ...['Linux', 'SunOS', 'FreeBSD', 'DragonFly'].map((sysname): [string, (s: string) => unknown] => [
    `release files (${sysname})`,
    (s) =>
      identifyOs(
        new Map(
          ['/etc/os-release', '/etc/redhat-release', '/etc/SuSE-release', '/etc/lsb-release', '/etc/release'].map(
            (p) => [p, s],
          ),
        ),
        { sysname, release: s.slice(0, 20), version: s, machine: null },
      ),
  ]),
  ['passwd', parsePasswd],
  ['group', parseGroup],
  ['env', parseEnvFile],
  ['php', parsePhpConfig],
  ['my.cnf', parseMyCnf],
  ['pgpass', parsePgpass],
  ['redis', parseRedisConf],
  ['authorized_keys', parseAuthorizedKeys],
  ['certs', parsePemCertificates],
  ['pg_hba', (s) => parsePgHba(s, 'x')],
  ['sudoers', (s) => parseSudoers(s, 'x')],
  ['doas', (s) => parseDoas(s, 'x')],
  ['nginx -T', parseNginxT],
  ['package.json', parsePackageJson],
  ['sshd_config', (s) => parseSshdConfig([s])],
];

const LINE_PARSERS: [string, (l: string[]) => unknown][] = [
  ['ip addr', parseIpAddr],
  ['ifconfig', parseIfconfig],
  ['dpkg', parseDpkg],
  ['rpm', parseRpm],
  ['apk db', parseApkDb],
  ['apk info', parseApkInfo],
  ['ss', parseSs],
  ['netstat', parseNetstat],
  ['proc net', (l) => parseProcNet('/proc/net/tcp6', l)],
  ['meminfo', parseMeminfo],
  ['df', parseDf],
  ['loadavg', parseLoadavg],
  ['uptime', parseUptime],
  ['cpu', parseCpu],
  ['virt', parseVirt],
  ['procps', (l) => parseProcpsPs(l, l)],
  ['busybox ps', (l) => parseBusyboxPs(l, l)],
  ['busybox top', parseBusyboxTop],
  ['systemd', (l) => parseSystemdUnits(l, parseSystemdUnitFiles(l))],
  ['openrc', (l) => parseRcStatus(l, parseRcUpdate(l))],
  ['sysv', parseSysvStatus],
  ['shadow', parseShadowStatus],
  ['sshd -T', parseSshdT],
  ['apache', parseApacheGrep],
  ['mysql users', parseMysqlUsers],
  ['pg roles', parsePgRoles],
  ['pairs', (l) => parsePairs(l, '|')],
  ['conf grep', (l) => parseConfGrep(l, null)],
  ['mongod', parseMongodGrep],
  ['docker', parseDockerPs],
  ['node', parseNodeProcesses],
  ['php version', parsePhpVersion],
  ['wp version', parseWpVersion],
];

describe('parsers never throw', () => {
  it.each(TEXT_PARSERS)('%s on random text', (_, parse) => {
    fc.assert(
      fc.property(junk, (s) => {
        parse(s);
      }),
      { numRuns: 300 },
    );
  });

  it.each(LINE_PARSERS)('%s on random lines', (_, parse) => {
    fc.assert(
      fc.property(lines, (l) => {
        parse(l);
      }),
      { numRuns: 300 },
    );
  });

  it('classification and small helpers on random strings', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        secretKind(a, b);
        phpVersionFromDir(a);
      }),
      { numRuns: 500 },
    );
  });

  it('framing and the whole parse on random text with real markers mixed in', () => {
    const B = 'FuzzBoundary0123456789';
    const marker = fc.constantFrom(
      'section os',
      'section users',
      'end os',
      'text ps-procps',
      'file b64 passwd 10 /etc/passwd',
      'file hex env - /x/.env',
      'log b64 1 2 /var/log/x',
      'cap files /a',
      'meta privilege user',
      'done',
      'file b64',
      'log',
      'section',
    );
    const doc = fc
      .array(
        fc.oneof(
          junk,
          marker.map((m) => `@@${B} ${m}`),
        ),
        { maxLength: 40 },
      )
      .map((l) => l.join('\n'));
    fc.assert(
      fc.property(doc, (text) => {
        frame(text, B);
        const r = parseDiscoveryOutput(text, B, { now: new Date('2026-01-01T00:00:00Z') });
        expect(r.facts.schemaVersion).toBe(1);
      }),
      { numRuns: 300 },
    );
  });

  it('the whole parse on real output cut at random places and with random lines dropped', () => {
    const real = fixture('debian12/script-run.txt');
    const B = 'FixtureBoundary0123456789';
    const realLines = real.split('\n');
    fc.assert(
      fc.property(
        fc.nat({ max: real.length }),
        fc.array(fc.nat({ max: realLines.length - 1 }), { maxLength: 50 }),
        (cut, drop) => {
          const dropped = new Set(drop);
          parseDiscoveryOutput(real.slice(0, cut), B, { now: new Date() });
          parseDiscoveryOutput(realLines.filter((_, i) => !dropped.has(i)).join('\n'), B, { now: new Date() });
        },
      ),
      { numRuns: 25 },
    );
  });
});
