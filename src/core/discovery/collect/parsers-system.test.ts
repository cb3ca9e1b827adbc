import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { until } from '../../../../testkit/wait.js';
import { fixture, fixtureLines } from '../fixtures/framed-output.js';
import { parseIfconfig, parseIpAddr } from './parsers/ip-addr.js';
import { osFamily, parseOsRelease } from './parsers/os-release.js';
import { parseApkDb, parseApkInfo, parseDpkg, parseRpm } from './parsers/packages.js';
import { compressIpv6, parseNetstat, parseProcNet, parseSs, splitHostPort } from './parsers/ports.js';
import { PROCPS_WIDE_FORMAT } from './script/sections-system.js';
import { parseCpu, parseDf, parseLoadavg, parseMeminfo, parseVirt } from './parsers/proc.js';
import {
  parseBusyboxPs,
  parseBusyboxSize,
  parseBusyboxTop,
  parseProcpsPs,
  parseProcpsWide,
  type RawProcess,
} from './parsers/ps.js';
import {
  parseRcStatus,
  parseRcUpdate,
  parseSystemdUnitFiles,
  parseSystemdUnits,
  parseSysvStatus,
} from './parsers/services.js';

describe('os-release', () => {
  it('reads the Debian, RHEL and Alpine files and names the family', () => {
    const rhel = parseOsRelease(fixture('rhel9/os-release'));
    expect(rhel).toMatchObject({
      ID: 'rhel',
      ID_LIKE: 'fedora',
      VERSION_ID: '9.4',
      PRETTY_NAME: 'Red Hat Enterprise Linux 9.4 (Plow)',
    });
    expect(osFamily('rhel', ['fedora'])).toBe('rhel');
    expect(osFamily('rocky', ['rhel', 'centos', 'fedora'])).toBe('rhel');
    expect(osFamily('ubuntu', ['debian'])).toBe('debian');
    const alp = parseOsRelease(fixture('alpine3/os-release'));
    expect(alp).toMatchObject({ ID: 'alpine', VERSION_ID: '3.19.1' });
    expect(osFamily('alpine', [])).toBe('alpine');
  });

  it('undoes shell escapes in double quotes and skips junk', () => {
    expect(parseOsRelease('NAME="A \\"quoted\\" \\$name"\nnot a line\n=x\nlower=1\n')).toEqual({
      NAME: 'A "quoted" $name',
    });
  });
});

describe('interface addresses', () => {
  it('reads real `ip -o addr show` output', () => {
    const list = parseIpAddr(fixtureLines('debian12/ip-o-addr.txt'));
    expect(list).toContainEqual({
      interface: 'lo',
      family: 'inet',
      address: '127.0.0.1',
      prefixLength: 8,
      scope: 'host',
    });
    expect(list).toContainEqual({
      interface: 'eth0',
      family: 'inet',
      address: '192.0.2.2',
      prefixLength: 24,
      scope: 'global',
    });
    expect(list).toContainEqual({
      interface: 'eth0',
      family: 'inet6',
      address: 'fe80::fc:ff:fe00:1',
      prefixLength: 64,
      scope: 'link',
    });
  });

  it('reads real net-tools `ifconfig -a` and the older busybox form', () => {
    const list = parseIfconfig(fixtureLines('debian12/ifconfig-a.txt'));
    expect(list).toContainEqual({
      interface: 'eth0',
      family: 'inet',
      address: '192.0.2.2',
      prefixLength: 24,
      scope: null,
    });
    expect(list).toContainEqual({
      interface: 'eth0',
      family: 'inet6',
      address: 'fe80::fc:ff:fe00:1',
      prefixLength: 64,
      scope: 'link',
    });
    const bb = parseIfconfig([
      'eth0      Link encap:Ethernet  HWaddr 02:42:AC:11:00:02',
      '          inet addr:172.17.0.2  Bcast:172.17.255.255  Mask:255.255.0.0',
      '          inet6 addr: fe80::42:acff:fe11:2/64 Scope:Link',
    ]);
    expect(bb).toEqual([
      { interface: 'eth0', family: 'inet', address: '172.17.0.2', prefixLength: 16, scope: null },
      { interface: 'eth0', family: 'inet6', address: 'fe80::42:acff:fe11:2', prefixLength: 64, scope: 'link' },
    ]);
  });
});

describe('packages', () => {
  it('reads real dpkg-query output, installed packages only', () => {
    const pkgs = parseDpkg([
      ...fixtureLines('debian12/dpkg-query.txt'),
      'deinstall ok config-files\told-pkg\t1.0\tamd64',
    ]);
    expect(pkgs.length).toBe(
      fixtureLines('debian12/dpkg-query.txt').filter((l) => l.startsWith('install ok installed')).length,
    );
    expect(pkgs).toContainEqual({ name: 'adduser', version: '3.134', arch: 'all', manager: 'dpkg' });
    expect(pkgs.find((p) => p.name === 'old-pkg')).toBeUndefined();
  });

  it('reads rpm output with epochs and (none)', () => {
    const pkgs = parseRpm(fixtureLines('rhel9/rpm-qa.txt'));
    expect(pkgs).toContainEqual({ name: 'nginx', version: '2:1.20.1-14.el9_2.1', arch: 'x86_64', manager: 'rpm' });
    expect(pkgs).toContainEqual({ name: 'bash', version: '5.1.8-9.el9', arch: 'x86_64', manager: 'rpm' });
    expect(pkgs).toContainEqual({ name: 'gpg-pubkey', version: 'fd431d51-4ae0493b', arch: null, manager: 'rpm' });
    expect(pkgs.filter((p) => p.name === 'glibc').map((p) => p.arch)).toEqual(['i686', 'x86_64']);
  });

  it('reads the apk database and `apk info -v` to the same packages', () => {
    const db = parseApkDb(fixtureLines('alpine3/apk-db-installed').filter((l) => /^[PVA]:/.test(l)));
    expect(db).toContainEqual({ name: 'musl', version: '1.2.4_git20230717-r4', arch: 'x86_64', manager: 'apk' });
    expect(db).toContainEqual({ name: 'py3-setuptools-pyc', version: '68.2.2-r0', arch: 'noarch', manager: 'apk' });
    const info = parseApkInfo(fixtureLines('alpine3/apk-info-v.txt'));
    expect(info.map((p) => `${p.name} ${p.version}`)).toEqual(db.map((p) => `${p.name} ${p.version}`));
  });
});

describe('services', () => {
  it('reads systemd units with their enablement', () => {
    const list = parseSystemdUnits(
      fixtureLines('rhel9/systemctl-list-units.txt'),
      parseSystemdUnitFiles(fixtureLines('rhel9/systemctl-list-unit-files.txt')),
    );
    expect(list).toContainEqual({
      name: 'nginx',
      manager: 'systemd',
      state: 'running',
      enabled: true,
      description: 'The nginx HTTP and reverse proxy server',
    });
    expect(list).toContainEqual(expect.objectContaining({ name: 'kdump', state: 'failed', enabled: true }));
    expect(list).toContainEqual(expect.objectContaining({ name: 'firewalld', state: 'stopped', enabled: false }));
    expect(list).toContainEqual(
      expect.objectContaining({ name: 'systemd-tmpfiles-setup', state: 'running', enabled: null }),
    );
    expect(list.find((s) => s.name === 'ntpd')).toBeUndefined();
  });

  it('reads OpenRC status, including the uptime newer versions print', () => {
    const list = parseRcStatus(
      fixtureLines('alpine3/rc-status-a.txt'),
      parseRcUpdate(fixtureLines('alpine3/rc-update-show-v.txt')),
    );
    expect(list).toContainEqual({
      name: 'nginx',
      manager: 'openrc',
      state: 'running',
      enabled: true,
      description: null,
    });
    expect(list).toContainEqual(expect.objectContaining({ name: 'mariadb', state: 'failed', enabled: true }));
    expect(list).toContainEqual(expect.objectContaining({ name: 'redis', state: 'running', enabled: false }));
    expect(list).toContainEqual(expect.objectContaining({ name: 'killprocs', state: 'stopped', enabled: false }));
  });

  it('reads real `service --status-all` output', () => {
    const list = parseSysvStatus(fixtureLines('debian12/service-status-all.txt'));
    expect(list).toContainEqual({
      name: 'postgresql',
      manager: 'sysv',
      state: 'running',
      enabled: null,
      description: null,
    });
    expect(list).toContainEqual(expect.objectContaining({ name: 'hwclock.sh', state: 'unknown' }));
  });
});

describe('listening ports', () => {
  it('reads real ss output, first process of each socket', () => {
    const ports = parseSs(fixtureLines('debian12/ss-tulpn.txt'));
    expect(ports).toContainEqual({
      proto: 'tcp',
      address: '127.0.0.1',
      port: 5432,
      process: 'postgres',
      pid: expect.any(Number),
    });
    expect(ports).toContainEqual({
      proto: 'tcp',
      address: '::1',
      port: 6379,
      process: 'redis-server',
      pid: expect.any(Number),
    });
    expect(ports).toContainEqual({ proto: 'tcp', address: '0.0.0.0', port: 2024, process: null, pid: null });
    const rhel = parseSs(fixtureLines('rhel9/ss-tulpn.txt'));
    expect(rhel).toContainEqual({ proto: 'udp', address: '127.0.0.1', port: 323, process: 'chronyd', pid: 712 });
    expect(rhel).toContainEqual({ proto: 'tcp', address: '::', port: 80, process: 'nginx', pid: 1204 });
  });

  it('agrees with real netstat output on the same machine', () => {
    const ss = parseSs(fixtureLines('debian12/ss-tulpn.txt'))
      .map((p) => `${p.proto} ${p.port} ${p.process ?? '-'}`)
      .sort();
    const ns = parseNetstat(fixtureLines('debian12/netstat-tulpn.txt'))
      .map((p) => `${p.proto} ${p.port} ${p.process ?? '-'}`)
      .sort();
    expect(ns).toEqual(ss);
  });

  it('reads busybox netstat with and without the program column', () => {
    expect(parseNetstat(fixtureLines('debian12/busybox-netstat-tuln.txt')).length).toBeGreaterThan(3);
    const alp = parseNetstat(fixtureLines('alpine3/busybox-netstat-tulpn.txt'));
    expect(alp).toContainEqual({ proto: 'tcp', address: '0.0.0.0', port: 80, process: 'nginx', pid: 2501 });
    expect(alp).toContainEqual({ proto: 'tcp', address: '::', port: 22, process: 'sshd', pid: 2412 });
    expect(alp).toContainEqual({ proto: 'tcp', address: '127.0.0.1', port: 3306, process: null, pid: null });
    expect(alp).toContainEqual({ proto: 'udp', address: '0.0.0.0', port: 68, process: 'udhcpc', pid: 1890 });
  });

  it('reads real /proc/net/tcp and tcp6 and agrees with ss on the ports', () => {
    const lines = fixtureLines('debian12/proc-net-tcp.txt');
    const v4 = parseProcNet('/proc/net/tcp', lines);
    const v6 = parseProcNet('/proc/net/tcp6', lines);
    expect(v4).toContainEqual({ proto: 'tcp', address: '127.0.0.1', port: 5432, process: null, pid: null });
    expect(v6.map((p) => p.address)).toContain('::1');
    expect([...v4, ...v6].every((p) => p.port > 0)).toBe(true);
  });

  it('splits host and port in every form the tools print', () => {
    expect(splitHostPort('[::1]:6379')).toEqual({ address: '::1', port: 6379 });
    expect(splitHostPort('*:22')).toEqual({ address: '*', port: 22 });
    expect(splitHostPort(':::22')).toEqual({ address: '::', port: 22 });
    expect(splitHostPort('127.0.0.53%lo:53')).toEqual({ address: '127.0.0.53', port: 53 });
    expect(splitHostPort('nonsense')).toBeNull();
    expect(compressIpv6(['fe80', '0', '0', '0', '0', '0', '0', '1'])).toBe('fe80::1');
    expect(compressIpv6(['0', '0', '0', '0', '0', '0', '0', '0'])).toBe('::');
    expect(compressIpv6(['2001', 'db8', '0', '1', '0', '0', '0', '1'])).toBe('2001:db8:0:1::1');
  });
});

describe('processes', () => {
  it('joins procps columns with arguments by pid', () => {
    const list = parseProcpsPs(fixtureLines('rhel9/ps-procps.txt'), fixtureLines('rhel9/ps-args.txt'));
    expect(list).toContainEqual(
      expect.objectContaining({
        pid: 1102,
        uid: 27,
        command: 'mariadbd',
        cpuPercent: 0.4,
        memPercent: 9.8,
        rssKb: 98304,
        args: '/usr/libexec/mariadbd --basedir=/usr',
      }),
    );
    expect(list.find((p) => p.pid === 2211)?.cpuPercent).toBe(97.3);
  });

  it('reads the real procps run inside the script output', () => {
    const text = fixture('debian12/script-run.txt');
    const grab = (label: string): string[] => {
      const start = text.indexOf(`text ${label}\n`);
      const body = text.slice(start + label.length + 6);
      return body.slice(0, body.indexOf('\n@@')).split('\n');
    };
    const list = parseProcpsPs(grab('ps-procps'), grab('ps-args'));
    expect(list.length).toBeGreaterThan(20);
    expect(list.find((p) => p.pid === 1)?.command).toBeTruthy();
    expect(list.some((p) => p.command === 'postgres')).toBe(true);
  });

  it('reads one procps run with the name padded to 15 characters, spaces in it and all', () => {
    const list = parseProcpsWide([
      '    1     0     0  0.0  0.1 12000 systemd         /sbin/init splash',
      '    2     0     0  0.0  0.0     0 kthreadd        [kthreadd]',
      '  812   790  1000  2.5  1.2 50400 tmux: server    tmux new -s ops',
      '  907     2     0  0.0  0.0     0 pool_workqueue_ [pool_workqueue_release]',
      ' 1200   812  1000  0.0  0.0     0 zombie-child   ',
      'junk',
    ]);
    expect(list.map((p) => [p.pid, p.ppid, p.uid, p.command, p.args])).toEqual([
      [1, 0, 0, 'systemd', '/sbin/init splash'],
      [2, 0, 0, 'kthreadd', '[kthreadd]'],
      [812, 790, 1000, 'tmux: server', 'tmux new -s ops'],
      [907, 2, 0, 'pool_workqueue_', '[pool_workqueue_release]'],
      [1200, 812, 1000, 'zombie-child', 'zombie-child'],
    ]);
    expect(list[2]).toMatchObject({ cpuPercent: 2.5, memPercent: 1.2, rssKb: 50400 });
  });

  it('keeps a process whose line a too-wide column shifted (procps takes the blank after the name)', () => {
    // Default widths: an RSS of 100 MB and more takes one blank from the name's padding, so none is left before
    // the arguments.
    const list = parseProcpsWide([
      '  812     1   106  0.3  2.5 102816 mariadbd       /usr/sbin/mariadbd --user=mysql',
      '  900     1     0  0.0  0.1  4096 cron            /usr/sbin/cron -f',
    ]);
    expect(list.map((p) => [p.pid, p.command, p.args, p.rssKb])).toEqual([
      [812, 'mariadbd', '/usr/sbin/mariadbd --user=mysql', 102816],
      [900, 'cron', '/usr/sbin/cron -f', 4096],
    ]);
  });

  it('reads the same processes from one procps run as from the two it replaces (this machine)', async () => {
    // A process whose name has spaces in it, as a renamed thread or `tmux: server` would.
    const named = spawn('sh', ['-c', 'printf "name with gaps" >/proc/$$/comm; while :; do sleep 1; done'], {
      stdio: 'ignore',
    });
    try {
      const ps = (format: string): string[] =>
        spawnSync('ps', ['-eo', format], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }).stdout.split('\n');
      // Both forms read at the same moment, once the renamed process shows in them.
      const { wide, two } = await until('the renamed process to show in ps', () => {
        const w = parseProcpsWide(ps(PROCPS_WIDE_FORMAT));
        const t = parseProcpsPs(ps('pid=,ppid=,uid=,pcpu=,pmem=,rss=,comm='), ps('pid=,args='));
        const shown = (list: RawProcess[]) => list.some((p) => p.pid === named.pid && p.command === 'name with gaps');
        return shown(w) && shown(t) ? { wide: w, two: t } : undefined;
      });
      const keyed = (list: RawProcess[], pid: number) => {
        const p = list.find((x) => x.pid === pid);
        return p && [p.ppid, p.uid, p.command, p.args];
      };
      for (const pid of [1, process.pid, named.pid!]) expect(keyed(wide, pid), `pid ${pid}`).toEqual(keyed(two, pid));
      expect(keyed(wide, named.pid!)).toEqual([
        process.pid,
        process.getuid?.(),
        'name with gaps',
        expect.stringMatching(/^sh -c /),
      ]);
      expect(wide.length).toBeGreaterThan(5);
    } finally {
      named.kill('SIGKILL');
    }
  });

  it('reads real busybox ps and top (wide columns run together) and the Alpine SMP layout', () => {
    const real = parseBusyboxPs(fixtureLines('debian12/busybox-ps.txt'), fixtureLines('debian12/busybox-top.txt'));
    const rss1 = /^\s*1\s+0\s+root\s+(\d+)m /m.exec(fixture('debian12/busybox-ps.txt'))?.[1];
    expect(real.find((p) => p.pid === 1)).toMatchObject({ user: 'root', rssKb: Number(rss1) * 1024 });
    expect(real.find((p) => p.pid === 2)).toMatchObject({ command: 'kthreadd', rssKb: 0 });
    const top = parseBusyboxTop(fixtureLines('debian12/busybox-top.txt'));
    expect(top.size).toBeGreaterThan(5);
    const alp = parseBusyboxPs(fixtureLines('alpine3/busybox-ps.txt'), fixtureLines('alpine3/busybox-top.txt'));
    expect(alp.find((p) => p.pid === 2801)).toMatchObject({
      user: 'deploy',
      command: 'node',
      cpuPercent: 2,
      rssKb: 52 * 1024,
    });
    expect(alp.find((p) => p.pid === 2610)).toMatchObject({ command: 'php-fpm', cpuPercent: 0, rssKb: 11 * 1024 });
    expect(alp.find((p) => p.pid === 2412)?.command).toBe('sshd');
    expect(parseBusyboxSize('1.5g')).toBe(1572864);
    expect(parseBusyboxSize('x')).toBeNull();
  });
});

describe('performance figures', () => {
  it('reads real meminfo and df, dropping pseudo file systems', () => {
    const mem = parseMeminfo(fixtureLines('debian12/meminfo.txt'));
    expect(mem.get('MemTotal')).toBeGreaterThan(0);
    expect(mem.has('SwapTotal')).toBe(true);
    const disks = parseDf(fixtureLines('debian12/df-P.txt'));
    expect(disks.find((d) => d.mount === '/')).toMatchObject({
      filesystem: '/dev/vda',
      usePercent: expect.any(Number),
    });
    expect(disks.some((d) => d.filesystem === 'tmpfs' || d.filesystem === 'devtmpfs')).toBe(false);
    const bb = parseDf(fixtureLines('alpine3/busybox-df-P.txt'));
    expect(bb.map((d) => d.mount)).toEqual(['/', '/boot']);
    expect(parseDf(fixtureLines('debian12/busybox-df-P.txt')).map((d) => d.mount)).toContain('/');
  });

  it('reads load, cpu and virtualisation hints', () => {
    expect(parseLoadavg(['0.52 0.58 0.59 1/467 12345'])).toEqual([0.52, 0.58, 0.59]);
    expect(parseLoadavg(['junk'])).toBeNull();
    expect(parseCpu(['count=4', 'model name\t: Intel(R) Xeon(R) CPU @ 2.20GHz'])).toEqual({
      count: 4,
      model: 'Intel(R) Xeon(R) CPU @ 2.20GHz',
    });
    expect(parseVirt(['detect-virt=kvm', 'cpu-flag=hypervisor'])).toBe('kvm');
    expect(parseVirt(['detect-virt=none', 'dmi-sys_vendor=Amazon EC2'])).toBe('amazon');
    expect(parseVirt(['cpu-flag=hypervisor'])).toBe('vm');
    expect(parseVirt(['container=lxc'])).toBe('lxc');
    expect(parseVirt([])).toBeNull();
  });
});
