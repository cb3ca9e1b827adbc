import { describe, expect, it } from 'vitest';
import { toShellCommand } from '../../../remote/index.js';
import { parseFacts } from './host.js';
import {
  installCommand,
  installedQuery,
  namesFor,
  parseInstalled,
  pendingUpgrades,
  refreshCommand,
  simulateUpgradeCommand,
  upgradeCommand,
} from './packages.js';
import { listFetchProblems } from './patch-os.js';

describe('package manager commands', () => {
  it('picks the installed-package query and install command of each manager', () => {
    expect(installedQuery('apt', 'nginx')).toEqual([
      'dpkg-query',
      '--show',
      '--showformat=${db:Status-Status} ${Version}\\n',
      'nginx',
    ]);
    expect(installedQuery('dnf', 'nginx')).toEqual(['rpm', '-q', '--queryformat', '%{VERSION}-%{RELEASE}\\n', 'nginx']);
    expect(installedQuery('yum', 'nginx')[0]).toBe('rpm');
    expect(installedQuery('apk', 'nginx')).toEqual(['apk', 'info', '-e', 'nginx']);
    const apt = installCommand('apt', ['nginx', 'curl']);
    expect(apt.slice(0, 2)).toEqual(['env', 'DEBIAN_FRONTEND=noninteractive']);
    expect(apt).toContain('install');
    expect(apt).toContain('-y');
    expect(apt).toContain('Dpkg::Options::=--force-confold');
    expect(apt.slice(-2)).toEqual(['nginx', 'curl']);
    expect(installCommand('dnf', ['nginx'])).toEqual(['dnf', 'install', '-y', '-q', 'nginx']);
    expect(installCommand('yum', ['nginx'])).toEqual(['yum', 'install', '-y', '-q', 'nginx']);
    expect(installCommand('apk', ['nginx'])).toEqual(['apk', 'add', '--no-progress', 'nginx']);
  });

  it('refreshes, simulates and upgrades with each manager, never interactively', () => {
    expect(refreshCommand('apt')).toContain('update');
    expect(refreshCommand('dnf')).toEqual(['dnf', 'makecache', '-q']);
    expect(refreshCommand('apk')).toEqual(['apk', 'update', '-q']);
    expect(simulateUpgradeCommand('apt')).toContain('-s');
    expect(simulateUpgradeCommand('dnf')).toContain('check-update');
    expect(simulateUpgradeCommand('apk')).toContain('--simulate');
    for (const pm of ['apt', 'dnf', 'yum'] as const) expect(upgradeCommand(pm)).toContain('-y');
    // Every command is an argv array; quoting makes each element one word.
    expect(toShellCommand(installedQuery('apt', 'nginx'))).toBe(
      "'dpkg-query' '--show' '--showformat=${db:Status-Status} ${Version}\\n' 'nginx'",
    );
  });

  it('reads installed versions from each manager’s answer', () => {
    expect(parseInstalled('apt', 0, 'installed 1.22.1-9+deb12u1\n')).toBe('1.22.1-9+deb12u1');
    expect(parseInstalled('apt', 0, 'config-files 1.22.1-9\n')).toBeUndefined();
    expect(parseInstalled('apt', 0, 'not-installed \n')).toBeUndefined();
    expect(parseInstalled('apt', 1, '')).toBeUndefined();
    expect(parseInstalled('dnf', 0, '1.20.1-14.el9\n')).toBe('1.20.1-14.el9');
    expect(parseInstalled('dnf', 1, 'package nginx is not installed\n')).toBeUndefined();
    expect(parseInstalled('apk', 0, 'nginx\n')).toBe('');
    expect(parseInstalled('apk', 1, '')).toBeUndefined();
  });

  it('lists the packages an upgrade would change', () => {
    const apt =
      'Reading package lists...\nThe following packages will be upgraded:\n  steward-canary\nInst steward-canary [1.0] (2.0 localhost [all])\nConf steward-canary (2.0 localhost [all])\n';
    expect(pendingUpgrades('apt', apt)).toEqual(['steward-canary']);
    expect(pendingUpgrades('apt', '0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n')).toEqual([]);
    const dnf =
      '\nbash.x86_64                 5.1.8-9.el9               baseos\nopenssl-libs.x86_64      1:3.0.7-27.el9            baseos\nObsoleting Packages\n   grub2-tools.x86_64   1:2.06-77.el9   baseos\n';
    expect(pendingUpgrades('dnf', dnf)).toEqual(['bash', 'openssl-libs']);
    const apk =
      '(1/2) Upgrading musl (1.2.4-r1 -> 1.2.4-r2)\n(2/2) Upgrading busybox (1.36.1-r5 -> 1.36.1-r6)\nOK: 8 MiB in 15 packages\n';
    expect(pendingUpgrades('apk', apk)).toEqual(['musl', 'busybox']);
  });

  it('chooses package names by manager and knows when there are none', () => {
    const names = { apt: ['mariadb-server'], dnf: ['mariadb-server'], apk: ['mariadb', 'mariadb-client'] };
    expect(namesFor('apk', names)).toEqual(['mariadb', 'mariadb-client']);
    expect(namesFor('yum', names)).toEqual(['mariadb-server']);
    expect(namesFor('dnf', { apt: ['unattended-upgrades'] })).toBeUndefined();
  });

  it('reads the host facts probe', () => {
    expect(parseFacts('apt sysv\n')).toEqual({ packageManager: 'apt', init: 'sysv' });
    expect(parseFacts('dnf systemd\n')).toEqual({ packageManager: 'dnf', init: 'systemd' });
    expect(parseFacts('none openrc\n')).toEqual({ packageManager: undefined, init: 'openrc' });
  });

  it('treats unreachable repositories in apt-get update output as a failure, though apt exits 0', () => {
    // As apt-get update printed it on a test host without network access.
    const offline = [
      'Ign:1 http://deb.debian.org/debian bookworm InRelease',
      'Err:1 http://deb.debian.org/debian bookworm InRelease',
      "  Temporary failure resolving 'deb.debian.org'",
      'Reading package lists...',
      "W: Failed to fetch http://deb.debian.org/debian/dists/bookworm/InRelease  Temporary failure resolving 'deb.debian.org'",
      'W: Some index files failed to download. They have been ignored, or old ones used instead.',
    ].join('\n');
    expect(listFetchProblems(offline)).toHaveLength(3);
    const fine =
      'Get:1 file:/srv/repo ./ InRelease\nIgn:1 file:/srv/repo ./ InRelease\nGet:3 file:/srv/repo ./ Packages [256 B]\nReading package lists...\nW: Target Packages is configured multiple times\n';
    expect(listFetchProblems(fine)).toEqual([]);
  });
});
