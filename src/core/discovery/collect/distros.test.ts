/**
 * End to end over RHEL-family and Alpine hosts, from output assembled out of the hand-written fixtures (see
 * fixtures/README.md: they follow the tools' documented formats; no such host was reachable to capture from).
 */
import { describe, expect, it } from 'vitest';
import { fixture, fixtureLines, framedOutput } from '../fixtures/framed-output.js';
import { parseDiscoveryOutput } from './parse.js';

const B = 'DistroBoundary0123456789';
const NOW = new Date('2026-06-01T00:00:00Z');

describe('RHEL 9', () => {
  const text = framedOutput(B, {
    identity: [
      { text: 'hostname', lines: 'web1' },
      { text: 'fqdn', lines: 'web1.example.test' },
    ],
    os: [
      { file: '/etc/os-release', tag: 'os-release', content: fixture('rhel9/os-release') },
      { file: '/etc/redhat-release', tag: 'release', content: fixture('rhel9/redhat-release') },
    ],
    packages: [{ text: 'rpm', lines: fixtureLines('rhel9/rpm-qa.txt') }],
    services: [
      { text: 'systemd-units', lines: fixtureLines('rhel9/systemctl-list-units.txt') },
      { text: 'systemd-unit-files', lines: fixtureLines('rhel9/systemctl-list-unit-files.txt') },
    ],
    ports: [{ text: 'ss', lines: fixtureLines('rhel9/ss-tulpn.txt') }],
    processes: [
      { text: 'ps-procps', lines: fixtureLines('rhel9/ps-procps.txt') },
      { text: 'ps-args', lines: fixtureLines('rhel9/ps-args.txt') },
    ],
    users: [
      { file: '/etc/passwd', tag: 'passwd', content: fixture('rhel9/passwd') },
      { file: '/etc/group', tag: 'group', content: fixture('rhel9/group') },
      { text: 'shadow-status', lines: ['root locked', 'ec2-user locked', 'deploy set'] },
    ],
    access: [
      { file: '/etc/sudoers', tag: 'sudoers', content: fixture('rhel9/sudoers') },
      {
        file: '/etc/sudoers.d/90-cloud-init-users',
        tag: 'sudoers',
        content: fixture('rhel9/sudoers.d-90-cloud-init-users'),
      },
      { file: '/etc/sudoers.d/old.rpmsave', tag: 'sudoers', content: 'deploy ALL=(ALL) NOPASSWD: ALL\n' },
    ],
    databases: [{ text: 'mysql-login-failed', lines: [] }],
    config: [
      { text: 'apache-grep', lines: fixtureLines('rhel9/httpd-grep.txt') },
      {
        text: 'mysql-cnf',
        lines: fixtureLines('rhel9/mariadb-server.cnf')
          .filter((l) => l && !l.startsWith('#'))
          .map((l) => `/etc/my.cnf.d/mariadb-server.cnf:${l}`),
      },
      { file: '/var/lib/pgsql/data/pg_hba.conf', tag: 'pg_hba', content: fixture('rhel9/pg_hba.conf') },
    ],
    credentials: [{ file: '/root/.my.cnf', tag: 'my.cnf:root', content: fixture('rhel9/root-my.cnf') }],
  });
  const { facts: f, foundSecrets } = parseDiscoveryOutput(text, B, { now: NOW });

  it('knows the OS family, packages with epochs and systemd services', () => {
    expect(f.os).toMatchObject({
      id: 'rhel',
      family: 'rhel',
      versionId: '9.4',
      release: 'Red Hat Enterprise Linux release 9.4 (Plow)',
    });
    expect(f.packages.find((p) => p.name === 'mariadb-server')).toEqual({
      name: 'mariadb-server',
      version: '3:10.5.22-1.el9_2',
      arch: 'x86_64',
      manager: 'rpm',
    });
    expect(f.services.find((s) => s.name === 'kdump')).toMatchObject({ state: 'failed', enabled: true });
  });

  it('recognises nginx, Apache config, MariaDB (mysqld-compatible), Redis and PHP', () => {
    const names = f.applications.map((a) => a.name);
    expect(names).toEqual(expect.arrayContaining(['nginx', 'mariadb', 'redis', 'php']));
    expect(names).not.toContain('mysql');
    expect(f.applications.find((a) => a.name === 'nginx')).toMatchObject({
      version: '1.20.1',
      evidence: expect.arrayContaining(['package:nginx', 'port:tcp/80', 'process:nginx', 'service:nginx']),
    });
    expect(f.serviceConfig.webSites.map((s) => s.names.join(' '))).toContain('shop.example.test www.shop.example.test');
  });

  it('knows wheel, sudoers and cloud-init grants, ignoring drop-ins sudo ignores', () => {
    expect(f.admins.adminGroups).toEqual([{ group: 'wheel', members: ['ec2-user'] }]);
    expect(f.admins.effective).toEqual(['ec2-user', 'root']);
    expect(f.admins.grants.find((g) => g.source === '/etc/sudoers.d/old.rpmsave')).toBeUndefined();
  });

  it('falls back to client configuration for MySQL administrators and says why', () => {
    expect(f.dbAdmins).toEqual([
      {
        engine: 'mysql',
        name: 'root',
        host: null,
        superuser: true,
        canLogin: null,
        source: 'config',
        detail: 'named in /root/.my.cnf',
      },
    ]);
    expect(f.notes.join(' ')).toMatch(/local root login did not work/);
    expect(f.serviceConfig.mysql).toMatchObject({
      dataDirectory: '/var/lib/mysql',
      listen: ['0.0.0.0'],
      source: 'config',
    });
    expect(foundSecrets.map((s) => s.value.reveal())).toEqual(['rhel-root-my-cnf-pass']);
    expect(JSON.stringify(f)).not.toContain('rhel-root-my-cnf-pass');
  });

  it('redacts a password in process arguments and keeps the miner-like process on top', () => {
    expect(f.performance.topCpu[0]).toMatchObject({
      pid: 2211,
      command: 'kworker_x',
      user: 'deploy',
      cpuPercent: 97.3,
    });
    expect(f.performance.topCpu[0]?.args).toContain('--pass=[redacted]');
    expect(JSON.stringify(f)).not.toContain('minerpass123');
  });

  it('reads pg_hba from the config even without a running server', () => {
    expect(f.serviceConfig.postgresql?.hba).toHaveLength(7);
    expect(f.serviceConfig.postgresql?.source).toBe('config');
  });
});

describe('Alpine 3.19', () => {
  const text = framedOutput(
    B,
    {
      identity: [
        { text: 'hostname', lines: 'alp' },
        {
          text: 'ifconfig',
          lines: [
            'eth0      Link encap:Ethernet  HWaddr 02:42:AC:11:00:02',
            '          inet addr:172.17.0.2  Bcast:172.17.255.255  Mask:255.255.0.0',
          ],
        },
      ],
      os: [
        { file: '/etc/os-release', tag: 'os-release', content: fixture('alpine3/os-release') },
        { file: '/etc/alpine-release', tag: 'release', content: fixture('alpine3/alpine-release') },
      ],
      packages: [{ text: 'apk-db', lines: fixtureLines('alpine3/apk-db-installed').filter((l) => /^[PVA]:/.test(l)) }],
      services: [
        { text: 'openrc-status', lines: fixtureLines('alpine3/rc-status-a.txt') },
        { text: 'openrc-update', lines: fixtureLines('alpine3/rc-update-show-v.txt') },
      ],
      ports: [{ text: 'netstat', lines: fixtureLines('alpine3/busybox-netstat-tulpn.txt') }],
      processes: [
        { text: 'ps-busybox', lines: fixtureLines('alpine3/busybox-ps.txt') },
        { text: 'top-busybox', lines: fixtureLines('alpine3/busybox-top.txt') },
      ],
      performance: [{ text: 'df', lines: fixtureLines('alpine3/busybox-df-P.txt') }],
      users: [
        { file: '/etc/passwd', tag: 'passwd', content: fixture('alpine3/passwd') },
        { file: '/etc/group', tag: 'group', content: fixture('alpine3/group') },
      ],
      access: [{ file: '/etc/doas.conf', tag: 'doas', content: fixture('alpine3/doas.conf') }],
      config: [
        { file: 'nginx -T', tag: 'nginx-T', content: fixture('alpine3/nginx-T.txt') },
        { text: 'php-dirs', lines: ['/etc/php82'] },
      ],
      apps: [
        { text: 'node-processes', lines: ['2801 /srv/shop'] },
        {
          file: '/srv/shop/package.json',
          tag: 'package.json',
          content: '{"name":"shop","version":"1.0.0","dependencies":{"fastify":"^4"}}',
        },
        { file: '/srv/shop/.env', tag: 'env', content: 'DB_PASSWORD=alpine-env-pass\n' },
      ],
    },
    { privilege: 'sudo' },
  );
  const { facts: f, foundSecrets } = parseDiscoveryOutput(text, B, { now: NOW });

  it('knows the OS, apk packages and OpenRC services', () => {
    expect(f.privilege).toBe('sudo');
    expect(f.os).toMatchObject({ id: 'alpine', family: 'alpine', versionId: '3.19.1', release: '3.19.1' });
    expect(f.identity.addresses).toEqual([
      { interface: 'eth0', family: 'inet', address: '172.17.0.2', prefixLength: 16, scope: null },
    ]);
    expect(f.packages.find((p) => p.name === 'nginx')).toEqual({
      name: 'nginx',
      version: '1.24.0-r15',
      arch: 'x86_64',
      manager: 'apk',
    });
    expect(f.services.find((s) => s.name === 'mariadb')).toMatchObject({
      manager: 'openrc',
      state: 'failed',
      enabled: true,
    });
  });

  it('reads busybox ports and processes and ties them to applications', () => {
    expect(f.ports).toContainEqual({ proto: 'tcp', address: '0.0.0.0', port: 80, process: 'nginx', pid: 2501 });
    expect(f.applications.find((a) => a.name === 'nginx')?.evidence).toEqual(
      expect.arrayContaining(['package:nginx', 'port:tcp/80', 'process:nginx', 'service:nginx']),
    );
    expect(f.applications.find((a) => a.name === 'php')).toMatchObject({ version: '8.2' });
    expect(f.applications.find((a) => a.kind === 'node_app')).toMatchObject({
      location: '/srv/shop',
      version: '1.0.0',
      evidence: ['file:/srv/shop', 'framework:fastify', 'process:node'],
    });
    expect(f.performance.topCpu[0]).toMatchObject({ pid: 2801, user: 'deploy', cpuPercent: 2 });
    expect(f.performance.disks.map((d) => d.mount)).toEqual(['/', '/boot']);
  });

  it('knows doas administrators and nginx sites without keeping proxy credentials', () => {
    expect(f.admins.effective).toEqual(['alpine', 'deploy', 'root']);
    expect(f.serviceConfig.webSites.find((s) => s.names.includes('shop.example.test'))?.certificates).toEqual([
      '/etc/letsencrypt/live/shop.example.test/fullchain.pem',
    ]);
    expect(JSON.stringify(f)).not.toContain('c2hvcDpwcm94eS1zZWNyZXQ');
    expect(foundSecrets.map((s) => [s.location, s.key, s.value.reveal()])).toEqual([
      ['/srv/shop/.env', 'DB_PASSWORD', 'alpine-env-pass'],
    ]);
  });
});
