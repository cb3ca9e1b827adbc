import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSample, newSampleMemo } from './parse.js';
import { parseCpuTime, parseDiskstats, parseNetDev, parseProcesses } from './parse-system.js';
import { POOL_PORTS, sampleScript } from './script.js';
import { TOP_AWK } from './script-body.js';

const B = '6f1c0d2e9a7b4c3d8e5f60718293a4b5';
const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');

describe('parsing real sampling output (Debian 12 test host)', () => {
  const first = parseSample(fixture('debian12-first.txt'), B);

  it('reads the kernel figures', () => {
    expect(first.complete).toBe(true);
    expect(first.uid).toBe(0);
    expect(first.ssh?.client).toMatch(/^10\.213\.\d+\.\d+$/);
    expect(first.cpu.total?.user).toBeGreaterThan(0);
    expect(first.cpu.count).toBe(2);
    expect(first.cpu.bootTime).toBeGreaterThan(1_600_000_000);
    expect(first.memory!.totalKb).toBeGreaterThan(first.memory!.availableKb);
    expect(first.load).toHaveLength(3);
    expect(first.uptimeSeconds).toBeGreaterThan(0);
    expect(first.diskIo.map((d) => d.device)).toContain('vda');
    expect(first.diskIo.map((d) => d.device)).not.toContain('loop0');
    expect(first.net.map((n) => n.iface)).toEqual(['eth0']);
    expect(first.processCount).toBeGreaterThan(3);
  });

  it('keeps the container root (overlay) as a disk and drops memory file systems', () => {
    expect(first.disks.map((d) => d.mount)).toEqual(['/']);
    expect(first.disks[0]!.filesystem).toBe('overlay');
  });

  it('lists the busiest processes without the sampling script’s own', () => {
    const names = first.processes.map((p) => p.command);
    expect(names).toContain('xmrig');
    expect(names).toContain('nc');
    expect(first.processes.some((p) => p.args.startsWith('ps -eww'))).toBe(false);
    expect(first.processes.some((p) => p.pid === first.shellPid)).toBe(false);
    const miner = first.processes.find((p) => p.command === 'xmrig')!;
    expect(miner.args).toBe('/tmp/xmrig if=/dev/zero of=/dev/null');
    expect(miner.cpuPercent).toBeGreaterThan(10);
  });

  it('reads listening sockets, accounts, admin groups, sudoers and authorized keys', () => {
    expect(first.listening.map((p) => `${p.proto}/${p.port}/${p.process}`).sort()).toEqual([
      'tcp/22/sshd',
      'tcp/22/sshd',
      'tcp/8081/nc',
    ]);
    expect(first.poolConnections).toEqual([]);
    const access = first.access!;
    expect(access.accounts.filter((a) => a.uid === 0).map((a) => a.name)).toEqual(['root']);
    expect(access.accounts.find((a) => a.name === 'alice')).toMatchObject({ uid: 1000, home: '/home/alice' });
    expect(access.adminGroups).toEqual([{ group: 'sudo', gid: 27, members: [] }]);
    expect(access.sudoers.map((s) => s.path)).toContain('/etc/sudoers.d/steward-alice');
    expect(access.sudoers.find((s) => s.path === '/etc/sudoers')!.content).not.toMatch(/^#/m);
    expect(access.authorizedKeys.map((k) => `${k.user} ${k.type}`).sort()).toEqual([
      'alice ssh-ed25519',
      'root ssh-ed25519',
    ]);
    expect(access.authorizedKeys[0]!.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('hashes each watched binary once and checks it against dpkg’s own checksums', () => {
    const bins = first.integrity!;
    const real = bins.map((b) => b.realPath);
    expect(new Set(real).size).toBe(real.length);
    expect(real).toEqual(expect.arrayContaining(['/usr/sbin/sshd', '/usr/bin/sudo', '/usr/bin/login', '/usr/bin/ps']));
    expect(bins.find((b) => b.realPath === '/usr/sbin/sshd')).toMatchObject({
      packaged: true,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    // /bin/login is listed by its package as bin/login; usrmerge made it /usr/bin/login.
    expect(bins.find((b) => b.realPath === '/usr/bin/login')!.packaged).toBe(true);
  });

  it('reads followed logs as exact bytes, with the inode each came from', () => {
    const { stat, chunks } = first.logs;
    expect(stat.map((s) => s.path).sort()).toEqual(['/var/log/auth.log', '/var/log/syslog']);
    const syslog = chunks.find((c) => c.index === 0)!;
    expect(syslog).toMatchObject({
      kind: 'current',
      start: 0,
      inode: stat.find((s) => s.path === '/var/log/syslog')!.inode,
    });
    expect(syslog.data.toString()).toContain('CRON[812]');
    const auth = chunks.find((c) => c.index === 1)!.data.toString();
    expect(auth.match(/Failed password for alice from/g)).toHaveLength(3);
  });
});

describe('parsing rotation, sudo and a busy machine', () => {
  it('a rotated log gives the old file’s tail, then the new file from its start', () => {
    const second = parseSample(fixture('debian12-second.txt'), B);
    expect(second.logs.chunks.map((c) => `${c.kind} ${c.start} ${c.data.toString().trim()}`)).toEqual([
      'rotated 137 Nov 29 10:00:05 web-7 kernel: before rotation',
      'current 0 Nov 29 10:00:06 web-7 kernel: after rotation',
    ]);
    expect(second.integrity).toBeNull();
  });

  it('runs through sudo for an ordinary login and says so', () => {
    const viaSudo = parseSample(fixture('debian12-sudo.txt'), B);
    expect(viaSudo.uid).toBe(0);
    expect(viaSudo.complete).toBe(true);
    expect(viaSudo.access!.sudoers.length).toBeGreaterThan(0);
  });

  it('reuses a server’s sockets and access while their text stays the same, and parses them again when it moves', () => {
    const text = fixture('debian12-first.txt');
    const memo = newSampleMemo();
    const a = parseSample(text, B, memo);
    const b = parseSample(text.replace(/^(cpu .*)$/m, '$1 '), B, memo);
    expect(b.listening).toBe(a.listening); // the same value, not parsed again
    expect(b.access).toBe(a.access);
    expect(b.listening).toEqual(parseSample(text, B).listening);
    const listener = 'tcp   LISTEN 0      5            0.0.0.0:4444      0.0.0.0:*    users:(("nc",pid=77,fd=3))';
    const moved = text
      .replace(/^(tcp +LISTEN .*:8081 .*)$/m, `$1\n${listener}`)
      .replace(/^root:0:0:\/root$/m, 'root:0:0:/root\ntoor:0:0:/root');
    const c = parseSample(moved, B, memo);
    expect(c.listening).toEqual(parseSample(moved, B).listening);
    expect(c.listening.map((p) => `${p.port} ${p.process}`)).toContain('4444 nc');
    expect(c.access!.accounts.map((x) => x.name)).toContain('toor');
    // The memo now holds the moved text: the first text again is parsed again, not taken for the moved one.
    expect(parseSample(text, B, memo).listening.map((p) => p.port)).not.toContain(4444);
  });

  it('what the memo keeps of a sample does not keep the sample’s output alive', () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const text = fixture('debian12-first.txt');
    const memos = [newSampleMemo()];
    parseSample(text, B, memos[0]); // the parse's own code and caches, before the baseline
    gc();
    const before = process.memoryUsage().heapUsed;
    // Forty servers' outputs, each a string of its own with a megabyte after the last marker (ignored by the parse).
    for (let i = 0; i < 40; i++) {
      const memo = newSampleMemo();
      const sample = parseSample(`${text}${'x'.repeat(1 << 20)}${i}\n`, B, memo);
      expect(sample.listening.length).toBeGreaterThan(0);
      memos.push(memo);
    }
    gc();
    const held = process.memoryUsage().heapUsed - before;
    expect(memos.every((m) => m.net.size === 1 && m.access !== undefined)).toBe(true);
    // Lines and fields cut from the outputs would keep all forty, 40 MB; what the memos keep is a few KB each.
    expect(held).toBeLessThan(8 << 20);
  });

  it('takes a listing whose queue columns moved for the same sockets, and one with another process for news', () => {
    const outbound = 'tcp   ESTAB  0      0         10.0.0.5:40022   192.0.2.9:22    users:(("ssh",pid=90,fd=3))';
    const text = fixture('debian12-first.txt')
      .replace('text listen\n', 'text sockets\n')
      .replace(/^(tcp +LISTEN .*:8081 .*)$/m, `$1\n${outbound}`);
    const memo = newSampleMemo();
    const a = parseSample(text, B, memo);
    expect(a.outboundConnections).toEqual([{ local: '10.0.0.5:40022', peer: '192.0.2.9:22', process: 'ssh', pid: 90 }]);
    // A busy moment: bytes waiting in a queue (wider than its column) change the line, not the sockets.
    const busy = text.replace('ESTAB  0      0        ', 'ESTAB  21772  133120  ');
    expect(busy).not.toBe(text);
    const b = parseSample(busy, B, memo);
    expect(b.listening).toBe(a.listening);
    expect(b.outboundConnections).toBe(a.outboundConnections);
    // The same connection held by another process is read again.
    const other = busy.replace('(("ssh",pid=90', '(("nc",pid=91');
    const c = parseSample(other, B, memo);
    expect(c.outboundConnections).toEqual([{ local: '10.0.0.5:40022', peer: '192.0.2.9:22', process: 'nc', pid: 91 }]);
    // Listings with processes and bare ones are remembered apart: a bare one does not push the other out.
    const bare = text.replace(/ +users:\(\(.*$/gm, '').replace('text sockets', 'text sockets-bare');
    const d = parseSample(bare, B, memo);
    expect(d.socketsNamed).toBe(false);
    expect(d.listening.every((p) => p.process === null)).toBe(true);
    expect(parseSample(bare, B, memo).listening).toBe(d.listening);
    expect(parseSample(other, B, memo).listening).toBe(c.listening);
  });

  it('reads this machine (many processes, real disks and interfaces)', () => {
    const m = parseSample(fixture('machine.txt'), B);
    expect(m.complete).toBe(true);
    expect(m.processes.length).toBeGreaterThan(5);
    expect(m.disks.length).toBeGreaterThan(0);
    expect(m.net.length).toBeGreaterThan(0);
    expect(m.listening.length).toBeGreaterThan(0);
  });
});

/** Runs the sampling script with `sh -s` on this machine and parses what it printed. */
async function sampleHere(): Promise<ReturnType<typeof parseSample>> {
  const { script } = sampleScript({ boundary: B, integrity: false, logs: [], maxLogBytes: 65536, elevate: false });
  const child = spawn('sh', ['-s'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const out: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stdin.end(script);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code).toBe(0);
  return parseSample(Buffer.concat(out).toString('utf8'), B);
}

/** A listener on the first mining-pool port free here (the tests cannot pick the port a pool uses). */
async function listenOnPoolPort(): Promise<{ server: Server; port: number }> {
  for (const port of POOL_PORTS) {
    const server = createServer((sock) => sock.on('error', () => undefined));
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (ok) return { server, port };
  }
  throw new Error(`every mining-pool port (${POOL_PORTS.join(', ')}) is taken on this machine`);
}

describe('the script on this machine (sh, iproute2 ss)', () => {
  it('one socket listing gives the listeners and the connections to mining pools, with their process', async () => {
    const { server, port } = await listenOnPoolPort();
    let client: Socket | undefined;
    try {
      client = connect(port, '127.0.0.1');
      await new Promise<void>((resolve, reject) => client!.once('connect', resolve).once('error', reject));
      const here = await sampleHere();
      expect(here.complete).toBe(true);
      expect(here.listening).toContainEqual({
        proto: 'tcp',
        address: '127.0.0.1',
        port,
        process: 'node',
        pid: process.pid,
      });
      expect(here.poolConnections).toContainEqual({
        local: `127.0.0.1:${client.localPort}`,
        peer: `127.0.0.1:${port}`,
        process: 'node',
        pid: process.pid,
      });
      // The listener's side of the same connection (remote port ephemeral) is no pool connection.
      expect(here.poolConnections.filter((c) => c.local === `127.0.0.1:${port}`)).toEqual([]);
      expect(here.outboundConnections.every((c) => [22, 23, 445, 3389].includes(Number(c.peer.split(':').pop())))).toBe(
        true,
      );
    } finally {
      client?.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

/** A busy child with spaces in an argument, found as ps finds it; the caller stops it. */
function busyChild() {
  const child = spawn('busybox', ['sh', '-c', 'while :; do :; done', 'steward probe']);
  child.on('error', () => undefined);
  return child;
}

describe('the busiest processes, read from /proc by each awk a host may have', () => {
  for (const awk of [['awk'], ['mawk'], ['busybox', 'awk']]) {
    it(`${awk.join(' ')}: the same process as ps sees it, and not the script's own`, async () => {
      const child = busyChild();
      try {
        // ps (and the script) give a process younger than a second no CPU share.
        await new Promise((resolve) => setTimeout(resolve, 1500));
        const procs = readdirSync('/proc')
          .filter((d) => /^\d+$/.test(d))
          .map((d) => `/proc/${d}`);
        // S is this process: the awk (its child) must leave it and its other descendants out.
        const out = execFileSync(awk[0]!, [...awk.slice(1), '-v', `S=${process.pid}`, TOP_AWK, ...procs], {
          encoding: 'utf8',
        });
        const lines = out.trimEnd().split('\n');
        expect(lines.length).toBeGreaterThan(0);
        expect(lines.length).toBeLessThanOrEqual(30);
        const rows = parseProcesses(lines, null);
        expect(rows).toHaveLength(lines.length / 2);
        expect(rows.some((r) => r.pid === process.pid || r.pid === child.pid)).toBe(false);
        // Run again with no shell to leave out, the busy child is among the busiest, named as ps names it.
        const all = parseProcesses(
          execFileSync(awk[0]!, [...awk.slice(1), '-v', 'S=0', TOP_AWK, ...procs], { encoding: 'utf8' })
            .trimEnd()
            .split('\n'),
          null,
        );
        const busy = all.find((r) => r.pid === child.pid);
        expect(busy).toMatchObject({
          ppid: process.pid,
          user: userInfo().username,
          command: 'busybox',
          args: 'busybox sh -c while :; do :; done steward probe',
        });
        expect(busy!.cpuPercent).toBeGreaterThan(10);
        const ps = execFileSync('ps', ['-o', 'rss=,etimes=', '-p', String(child.pid)], { encoding: 'utf8' });
        const [rss, etimes] = ps.trim().split(/\s+/).map(Number);
        expect(busy!.rssKb).toBeGreaterThan(rss! / 2);
        expect(busy!.rssKb).toBeLessThan(rss! * 2);
        expect(Math.abs(busy!.elapsedSeconds - etimes!)).toBeLessThanOrEqual(1);
      } finally {
        child.kill('SIGKILL');
      }
    });
  }
});

describe('small parsers', () => {
  it('ps cumulative CPU time', () => {
    expect(parseCpuTime('00:00:03')).toBe(3);
    expect(parseCpuTime('01:02:03')).toBe(3723);
    expect(parseCpuTime('2-01:00:00')).toBe(176400);
    expect(parseCpuTime('12:34')).toBe(754);
    expect(parseCpuTime('junk')).toBeNull();
  });

  it('diskstats and net/dev skip what they do not understand', () => {
    expect(
      parseDiskstats(['   8  0 sda 1 2 30 4 5 6 70 8 9 100 11', '   8  1 sda1 1 2 3 4 5 6 7 8 9 10 11', 'garbage']),
    ).toEqual([{ device: 'sda', sectorsRead: 30, sectorsWritten: 70, busyMs: 100 }]);
    expect(
      parseNetDev(['  eth0: 100 1 0 0 0 0 0 0 200 2 0 0 0 0 0 0', '    lo: 5 5 0 0 0 0 0 0 5 5 0 0 0 0 0 0', 'x']),
    ).toEqual([{ iface: 'eth0', rxBytes: 100, txBytes: 200 }]);
  });
});

describe('robustness', () => {
  it('never throws on junk, on junk between real markers, or on real output cut anywhere', () => {
    const real = fixture('debian12-first.txt');
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), fc.nat(real.length), (junk, cut) => {
        parseSample(junk, B);
        parseSample(
          `@@${B} section proc\n@@${B} text stat\n${junk}\n@@${B} section logs\n@@${B} text chunk 0 current 1 0\n${junk}`,
          B,
        );
        const partial = parseSample(real.slice(0, cut), B);
        expect(partial.complete).toBe(cut === real.length ? true : partial.complete);
      }),
      { numRuns: 300 },
    );
  });

  it('a marker without the run’s boundary is just text', () => {
    const forged = fixture('debian12-first.txt').replace(
      'P 11 1 root',
      `@@0000000000000000000000000000dead section procs\nP 11 1 root`,
    );
    expect(parseSample(forged, B).processes.map((p) => p.command)).toContain('nc');
  });

  it('the script refuses bad options and keeps paths out of its text', () => {
    expect(() =>
      sampleScript({ boundary: 'short', integrity: false, logs: [], maxLogBytes: 65536, elevate: false }),
    ).toThrow(/boundary/);
    expect(() =>
      sampleScript({
        boundary: B,
        integrity: false,
        logs: [{ path: 'relative', inode: '1', offset: 0 }],
        maxLogBytes: 65536,
        elevate: false,
      }),
    ).toThrow(/path/);
    expect(() =>
      sampleScript({
        boundary: B,
        integrity: false,
        logs: [{ path: '/x', inode: '1;reboot', offset: 0 }],
        maxLogBytes: 65536,
        elevate: false,
      }),
    ).toThrow(/cursor/);
    const odd = "/var/log/it's $(odd).log";
    const { script, args } = sampleScript({
      boundary: B,
      integrity: false,
      logs: [{ path: odd, inode: '12', offset: 5 }],
      maxLogBytes: 65536,
      elevate: true,
    });
    expect(script).not.toContain(odd);
    expect(script).toContain('follow 0 "$1" 12 5');
    expect(args).toEqual([odd]);
  });
});
