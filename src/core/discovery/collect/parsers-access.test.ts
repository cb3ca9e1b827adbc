import { describe, expect, it } from 'vitest';
import { fixture, fixtureLines } from '../fixtures/framed-output.js';
import { parseGroup, parsePasswd, parseShadowStatus, toUsers } from './parsers/accounts.js';
import { daysLeft, parsePemCertificates } from './parsers/certs.js';
import { parseAuthorizedKeys, parsePublicKeyLine } from './parsers/ssh-keys.js';
import { parseDoas, parseSudoers, sudoIncludesFile } from './parsers/sudoers.js';

describe('accounts', () => {
  it('reads passwd and group, and tells login shells from nologin', () => {
    const users = toUsers(
      parsePasswd(fixture('rhel9/passwd')),
      parseShadowStatus(['root locked', 'deploy empty', 'ec2-user set', 'junk']),
    );
    expect(users.find((u) => u.name === 'ec2-user')).toEqual({
      name: 'ec2-user',
      uid: 1000,
      gid: 1000,
      gecos: 'Cloud User',
      home: '/home/ec2-user',
      shell: '/bin/bash',
      loginShell: true,
      password: 'set',
    });
    expect(users.find((u) => u.name === 'deploy')?.password).toBe('empty');
    expect(users.find((u) => u.name === 'sync')?.loginShell).toBe(false);
    expect(users.find((u) => u.name === 'nginx')).toMatchObject({ loginShell: false, password: 'unknown' });
    expect(parseGroup(fixture('alpine3/group')).find((g) => g.name === 'wheel')).toEqual({
      name: 'wheel',
      gid: 10,
      members: ['alpine', 'root'],
    });
  });

  it('skips NIS lines, comments and malformed rows', () => {
    expect(
      parsePasswd('+::::::\n# c\nbad:x:1\nname:x:a:1::/:/bin/sh\nok:x:5:5::/h:/bin/sh\n').map((e) => e.name),
    ).toEqual(['ok']);
    expect(parseGroup('g:x:1:a,,b\nbad\n')).toEqual([{ name: 'g', gid: 1, members: ['a', 'b'] }]);
  });
});

describe('sudoers and doas', () => {
  it('reads RHEL sudoers: #includedir is a directive, Defaults are skipped', () => {
    const f = parseSudoers(fixture('rhel9/sudoers'), '/etc/sudoers');
    expect(f.includes).toEqual(['/etc/sudoers.d']);
    expect(f.grants).toEqual([
      {
        principalType: 'user',
        principal: 'root',
        hosts: 'ALL',
        runAs: 'ALL',
        commands: 'ALL',
        noPassword: false,
        via: 'sudo',
        source: '/etc/sudoers',
      },
      {
        principalType: 'group',
        principal: 'wheel',
        hosts: 'ALL',
        runAs: 'ALL',
        commands: 'ALL',
        noPassword: false,
        via: 'sudo',
        source: '/etc/sudoers',
      },
    ]);
    const ci = parseSudoers(fixture('rhel9/sudoers.d-90-cloud-init-users'), '/etc/sudoers.d/90-cloud-init-users');
    expect(ci.grants).toEqual([expect.objectContaining({ principal: 'ec2-user', commands: 'ALL', noPassword: true })]);
  });

  it('reads aliases, continuation lines, user lists and uids', () => {
    const f = parseSudoers(fixture('debian12/planted/sudoers'), '/etc/sudoers.d/x');
    expect(f.userAliases.get('FIXTURE_OPS')).toEqual(['fxops1', 'fxops2']);
    expect(f.grants.find((g) => g.principal === 'adm')).toMatchObject({
      principalType: 'group',
      runAs: 'root',
      commands: '/usr/bin/systemctl restart nginx, /usr/bin/systemctl reload nginx',
    });
    const multi = parseSudoers('alice, bob web1 = (root) /bin/ls\n#1001 ALL=(ALL) ALL\n!carol ALL=ALL\n', 's');
    expect(multi.grants.map((g) => g.principal)).toEqual(['alice', 'bob', '#1001']);
    expect(sudoIncludesFile('/etc/sudoers.d/90-cloud-init-users')).toBe(true);
    expect(sudoIncludesFile('/etc/sudoers.d/README')).toBe(true);
    expect(sudoIncludesFile('/etc/sudoers.d/old.bak')).toBe(false);
    expect(sudoIncludesFile('/etc/sudoers.d/edit~')).toBe(false);
  });

  it('reads doas rules; deny grants nothing', () => {
    const rules = parseDoas(fixture('alpine3/doas.conf'), '/etc/doas.conf');
    expect(rules).toEqual([
      {
        principalType: 'group',
        principal: 'wheel',
        hosts: 'ALL',
        runAs: 'root',
        commands: 'ALL',
        noPassword: false,
        via: 'doas',
        source: '/etc/doas.conf',
      },
      {
        principalType: 'user',
        principal: 'deploy',
        hosts: 'ALL',
        runAs: 'root',
        commands: '/sbin/rc-service args nginx restart',
        noPassword: true,
        via: 'doas',
        source: '/etc/doas.conf',
      },
      {
        principalType: 'group',
        principal: 'admin',
        hosts: 'ALL',
        runAs: 'root',
        commands: 'ALL',
        noPassword: false,
        via: 'doas',
        source: '/etc/doas.conf',
      },
    ]);
  });
});

describe('SSH keys', () => {
  it('computes the same fingerprints and sizes as the real ssh-keygen -lf', () => {
    const keys = parseAuthorizedKeys(fixture('debian12/planted/authorized_keys'));
    const reference = fixtureLines('debian12/ssh-keygen-lf.txt').map((l) => l.split(' ').slice(0, 2).join(' '));
    expect(keys.map((k) => `${k.bits} ${k.fingerprint}`)).toEqual(reference);
    expect(keys[1]).toMatchObject({
      type: 'ssh-rsa',
      comment: 'ops key',
      options: ['from="192.0.2.0/24"', 'command="/usr/bin/backup --run \\"nightly\\""', 'no-pty'],
    });
    expect(keys[2]).toMatchObject({ type: 'ecdsa-sha2-nistp384', bits: 384, comment: '' });
  });

  it('matches ssh-keygen on the real host keys captured inside the script output', () => {
    const reference = fixtureLines('debian12/ssh-keygen-lf-host.txt').map((l) => l.split(' ')[1]);
    const text = fixture('debian12/script-run.txt');
    const blocks = [...text.matchAll(/file b64 host-key \d+ (\S+)\n([A-Za-z0-9+/=\n]+)/g)];
    const ours = blocks.map(
      (m) => parsePublicKeyLine(Buffer.from((m[2] ?? '').replace(/\n/g, ''), 'base64').toString())?.fingerprint,
    );
    expect(ours).toEqual(reference);
  });

  it('rejects what is not a key', () => {
    expect(parsePublicKeyLine('ssh-rsa notbase64!!')).toBeNull();
    expect(
      parsePublicKeyLine('# ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF968zYwvq9tMiKrYdm88BR5AHaGBAq2PtQtmlhh2Y71'),
    ).toBeNull();
    expect(parsePublicKeyLine('command="x y" nope AAAA')).toBeNull();
  });
});

describe('certificates', () => {
  it('reads subject, issuer, SANs, dates and fingerprint as the real openssl x509 does', () => {
    const [cert] = parsePemCertificates(fixture('debian12/site.crt'));
    const ref = Object.fromEntries(
      fixtureLines('debian12/openssl-x509.txt')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(cert?.subject).toBe('CN=fixture.example.test, O=Steward fixture');
    expect(cert?.sans).toEqual(['fixture.example.test', 'www.fixture.example.test', '192.0.2.10']);
    expect(cert?.serial).toBe(ref.serial);
    expect(cert?.fingerprint256).toBe(ref['sha256 Fingerprint']);
    expect(new Date(cert?.notAfter ?? '').getTime()).toBe(new Date(ref.notAfter ?? '').getTime());
    expect(new Date(cert?.notBefore ?? '').getTime()).toBe(new Date(ref.notBefore ?? '').getTime());
    expect(cert?.selfSigned).toBe(true);
  });

  it('counts days left against the given now, negative once expired', () => {
    expect(daysLeft('2026-03-01T00:00:00.000Z', new Date('2026-01-30T12:00:00Z'))).toBe(29);
    expect(daysLeft('2026-03-01T00:00:00.000Z', new Date('2026-03-02T00:00:00Z'))).toBe(-1);
  });

  it('skips broken PEM blocks', () => {
    expect(parsePemCertificates('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')).toEqual([]);
  });
});
