/**
 * The whole parse over the real output of the discovery script on a Debian 12 machine (dash and busybox sh),
 * captured by fixtures/debian12/capture.sh with demonstration files planted.
 */
import { describe, expect, it } from 'vitest';
import { fixture, fixtureLines } from '../fixtures/framed-output.js';
import { decodeBlock } from './framing.js';
import { parseDiscoveryOutput } from './parse.js';
import { SECTIONS } from './script.js';

const B = 'FixtureBoundary0123456789';
const NOW = new Date('2027-01-01T00:00:00Z');
const dash = parseDiscoveryOutput(fixture('debian12/script-run.txt'), B, { now: NOW, logLines: 20 });
const busybox = parseDiscoveryOutput(fixture('debian12/script-run-busybox.txt'), B, { now: NOW, logLines: 20 });

describe('real Debian 12 output', () => {
  const f = dash.facts;

  it('is complete, ran as root and printed every section', () => {
    expect(f.complete).toBe(true);
    expect(f.privilege).toBe('root');
    expect(f.notes).toEqual([]);
    const text = fixture('debian12/script-run.txt');
    for (const s of SECTIONS) expect(text).toContain(`@@${B} section ${s}\n`);
  });

  it('knows the machine and its operating system', () => {
    expect(f.identity.hostname).toMatch(/^[a-z0-9-]+$/);
    expect(f.identity.machineId).toBe('0123456789abcdef0123456789abcdef');
    expect(f.identity.addresses).toContainEqual(expect.objectContaining({ interface: 'lo', address: '127.0.0.1' }));
    expect(f.os).toMatchObject({
      id: 'debian',
      family: 'debian',
      versionId: '12',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
      kernel: { name: 'Linux', machine: 'x86_64' },
    });
    expect(f.os.release).toMatch(/^12\.\d+$/);
    expect(f.os.uptimeSeconds).toBeGreaterThan(0);
  });

  it('lists the installed packages and recognises what runs', () => {
    expect(f.packages.length).toBeGreaterThan(500);
    expect(f.packages.every((p) => p.manager === 'dpkg')).toBe(true);
    expect(f.packages.find((p) => p.name === 'openssh-server')).toBeTruthy();
    const apps = f.applications.map((a) => `${a.kind}:${a.name}`);
    expect(apps).toEqual(
      expect.arrayContaining([
        'database:mariadb',
        'database:postgresql',
        'cache:redis',
        'cms:wordpress',
        'node_app:node-app',
      ]),
    );
    expect(f.applications.find((a) => a.name === 'wordpress')).toMatchObject({
      version: '6.4.3',
      location: '/var/www/steward-fixture',
    });
    expect(f.applications.find((a) => a.location === '/srv/steward-fixture-app')).toMatchObject({
      version: '2.3.1',
      evidence: expect.arrayContaining(['framework:express']),
    });
    expect(f.applications.find((a) => a.name === 'mariadb')?.evidence).toEqual(
      expect.arrayContaining(['package:mariadb-server', 'process:mariadbd', 'port:tcp/3306']),
    );
  });

  it('reads services, listening ports and processes', () => {
    expect(f.services.find((s) => s.name === 'postgresql')).toMatchObject({ manager: 'sysv', state: 'running' });
    expect(f.ports).toContainEqual(
      expect.objectContaining({ proto: 'tcp', address: '127.0.0.1', port: 5432, process: 'postgres' }),
    );
    expect(f.ports).toContainEqual(expect.objectContaining({ port: 3306, process: 'mariadbd' }));
    expect(f.processes.find((p) => p.command === 'postgres')).toMatchObject({ users: ['postgres'] });
    expect(f.performance.processCount).toBeGreaterThan(20);
    expect(f.performance.topCpu.length).toBeGreaterThan(0);
  });

  it('knows the administrators of the server and of its databases', () => {
    expect(f.users.find((u) => u.name === 'root')).toMatchObject({ uid: 0, loginShell: true, password: 'locked' });
    expect(f.admins.uid0).toEqual(['root']);
    expect(f.admins.grants.map((g) => `${g.principalType}:${g.principal}`)).toEqual([
      'alias:FIXTURE_OPS',
      'group:adm',
      'user:redis',
    ]);
    expect(f.admins.effective).toEqual(['fxops1', 'fxops2', 'redis', 'root']);
    expect(f.dbAdmins).toContainEqual(
      expect.objectContaining({ engine: 'mysql', name: 'root', host: 'localhost', superuser: true, source: 'query' }),
    );
    expect(f.dbAdmins).toContainEqual(
      expect.objectContaining({ engine: 'postgresql', name: 'postgres', superuser: true }),
    );
  });

  it('reads keys with the fingerprints ssh-keygen prints', () => {
    const ref = fixtureLines('debian12/ssh-keygen-lf.txt')
      .map((l) => l.split(' ')[1])
      .sort();
    expect(f.sshKeys.authorized.map((k) => k.fingerprint).sort()).toEqual(ref);
    expect(
      f.sshKeys.authorized.every((k) => k.user === 'redis' && k.file === '/var/lib/redis/.ssh/authorized_keys'),
    ).toBe(true);
    const hostRef = fixtureLines('debian12/ssh-keygen-lf-host.txt')
      .map((l) => l.split(' ')[1])
      .sort();
    expect(f.sshKeys.host.map((k) => k.fingerprint).sort()).toEqual(hostRef);
  });

  it('reads the planted certificate once, from both files, with days left against now', () => {
    const cert = f.certificates.find((c) => c.subject.startsWith('CN=fixture.example.test'));
    expect(cert?.paths).toEqual(['/etc/ssl/steward-fixture/combined.pem', '/etc/ssl/steward-fixture/site.crt']);
    expect(cert?.sans).toEqual(['fixture.example.test', 'www.fixture.example.test', '192.0.2.10']);
    expect(cert?.daysLeft).toBe(Math.floor((Date.parse(cert?.notAfter ?? '') - NOW.getTime()) / 86_400_000));
    expect(cert?.expired).toBe(false);
  });

  it('never carries a private key off the server, even from a combined PEM file', () => {
    const text = fixture('debian12/script-run.txt');
    const blocks = [...text.matchAll(new RegExp(`@@${B} file b64 cert - (\\S+)\\n([A-Za-z0-9+/=\\n]+)`, 'g'))];
    expect(blocks.map((m) => m[1])).toContain('/etc/ssl/steward-fixture/combined.pem');
    for (const m of blocks) expect(decodeBlock('b64', (m[2] ?? '').split('\n'))).not.toContain('PRIVATE KEY');
  });

  it('reads key service settings and locations', () => {
    expect(f.serviceConfig.sshd).toMatchObject({ source: 'sshd -T', ports: [22], permitRootLogin: 'without-password' });
    expect(f.serviceConfig.mysql).toMatchObject({
      dataDirectory: '/var/lib/mysql',
      listen: ['127.0.0.1'],
      port: 3306,
      source: 'query',
    });
    expect(f.serviceConfig.postgresql).toMatchObject({
      dataDirectory: '/var/lib/postgresql/15/main',
      port: 5432,
      hba: expect.arrayContaining([expect.objectContaining({ method: 'trust' })]),
    });
    expect(f.serviceConfig.redis).toMatchObject({ port: 6379, passwordSet: false, source: '/etc/redis/redis.conf' });
    expect(f.locations.dataDirectories).toEqual(
      expect.arrayContaining([
        { engine: 'mysql', path: '/var/lib/mysql' },
        { engine: 'postgresql', path: '/var/lib/postgresql/15/main' },
      ]),
    );
    expect(f.locations.webRoots).toContain('/var/www/steward-fixture');
    expect(
      f.logs.find((l) => l.path === '/var/log/postgresql/postgresql-15-main.log')?.recentLines.length,
    ).toBeGreaterThan(0);
    expect(f.logs.every((l) => l.recentLines.length <= 20)).toBe(true);
  });

  it('seals every planted credential and keeps none in the facts', () => {
    const expected: [string, string, string][] = [
      ['/etc/mysql/conf.d/steward-fixture.cnf', '[client] password', 'Fx-mysql-client-pass;#1'],
      ['/etc/mysql/conf.d/steward-fixture.cnf', '[mysqldump] password', 'Fx-mysqldump-pass-3'],
      ['/etc/redis/steward-fixture.conf', 'requirepass', 'Fx-redis-require"pass'],
      ['/etc/redis/steward-fixture.conf', 'user fixture', 'Fx-redis-acl-pass'],
      ['/srv/steward-fixture-app/.env', 'DATABASE_URL', 'postgres://fx_app:Fx-app-url-pass-77aa@127.0.0.1:5432/fx_app'],
      ['/srv/steward-fixture-app/.env', 'REDIS_PASSWORD', 'Fx-redis-env-pass 88bb'],
      ['/srv/steward-fixture-app/.env', 'STRIPE_SECRET_KEY', 'sk_test_Fx_secret_99cc'],
      ['/srv/steward-fixture-app/.env', 'JWT_SECRET', 'Fx-jwt-secret-aabbcc'],
      ['/srv/steward-fixture-app/.env', 'APP_KEY', 'base64:Rml4dHVyZUFwcEtleTEyMzQ1Njc4OTAxMjM0NTY='],
      ['/var/lib/redis/.pgpass', 'password', 'Fx-pgpass-one'],
      ['/var/lib/redis/.pgpass', 'password', 'Fx-pgpass-two:with-colon'],
      ['/var/www/steward-fixture/wp-config.php', 'DB_PASSWORD', "Fx-wp-DB-pass-2f9c'q"],
      ['/var/www/steward-fixture/wp-config.php', 'AUTH_KEY', 'fx-auth-key-0a1b2c3d4e5f'],
      ['/var/www/steward-fixture/wp-config.php', 'SECURE_AUTH_KEY', 'fx-secure-auth-key-6a7b8c'],
      ['/var/www/steward-fixture/wp-config.php', 'NONCE_SALT', 'fx-nonce-salt-$9d0e'],
    ];
    const got = dash.foundSecrets
      .filter((s) => s.key !== 'SIGNING_KEY')
      .map((s): [string, string, string] => [s.location, s.key, s.value.reveal()]);
    expect(got).toEqual(expected);
    expect(dash.foundSecrets.find((s) => s.key === 'SIGNING_KEY')?.kind).toBe('private_key');
    const json = JSON.stringify(dash.facts);
    for (const s of dash.foundSecrets) expect(json).not.toContain(s.value.reveal());
    expect(json).not.toContain('Fx-');
    expect(dash.foundSecrets.find((s) => s.key === 'DB_PASSWORD')?.context).toMatchObject({
      user: 'fixture_wp_user',
      database: 'fixture_wp',
      host: 'localhost',
    });
  });

  it('reads the busybox sh run to the same facts (the script is portable to ash)', () => {
    const b = busybox.facts;
    expect(b.complete).toBe(true);
    expect(b.packages).toEqual(f.packages);
    expect(b.users).toEqual(f.users);
    expect(b.admins).toEqual(f.admins);
    expect(b.sshKeys).toEqual(f.sshKeys);
    expect(b.certificates).toEqual(f.certificates);
    expect(b.locations.configFiles).toEqual(f.locations.configFiles);
    expect(b.dbAdmins).toEqual(f.dbAdmins);
    expect(busybox.foundSecrets.map((s) => s.value.reveal())).toEqual(dash.foundSecrets.map((s) => s.value.reveal()));
  });
});
