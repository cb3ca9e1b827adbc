/**
 * The os section's own shell code, run under dash, bash and busybox sh against a tree holding each system's
 * release files (fixtures/os/<system>/, see its README), then parsed as discovery parses it. For the
 * non-Linux systems a stub answers `uname` the way that system does.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { buildOs } from './assemble-system.js';
import type { OsFacts } from './facts.js';
import { frame } from './framing.js';
import { identifyOs, osFamily } from './parsers/os-release.js';
import { discoveryScript, newDiscoveryBoundary } from './script.js';
import { expectShells, runSystemSections, SHELLS } from '../../../../testkit/system-sections.js';
import { quoteArg } from '../../../remote/index.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/os/', import.meta.url));
const B = 'OsFixtureBoundary0123456789';
const stubs = mkdtempSync(join(tmpdir(), 'steward-os-uname-'));
afterAll(() => rmSync(stubs, { recursive: true, force: true }));

function stubUname(system: string): string | null {
  const unameFile = join(FIXTURES, system, 'uname');
  if (!existsSync(unameFile)) return null;
  const dir = join(stubs, system);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'uname'), `#!/bin/sh\nexec cat ${quoteArg(unameFile)}\n`);
  chmodSync(join(dir, 'uname'), 0o755);
  return dir;
}

/**
 * The prologue and the real section functions, then the os section once per system over that system's tree
 * (one shell for all of them: each run is a section of its own, `os-<system>`).
 */
function runOs(shell: readonly string[], systems: readonly string[]): Map<string, OsFacts> {
  const runs = systems.map((system) => {
    const dir = stubUname(system);
    return [
      `PATH=${dir ? `${quoteArg(dir)}:` : ''}"$BASE_PATH"`,
      `mk section ${quoteArg(`os-${system}`)}; s_os ${quoteArg(join(FIXTURES, system))} </dev/null 2>/dev/null; mk end os`,
    ].join('\n');
  });
  const stdout = runSystemSections(shell, B, ['BASE_PATH=$PATH', ...runs, 'mk done']);
  const framed = frame(stdout, B);
  const out = new Map<string, OsFacts>();
  for (const system of systems) {
    const section = framed.sections.get(`os-${system}`);
    out.set(system, buildOs({ ...framed, sections: new Map(section ? [['os', section]] : []) }));
  }
  return out;
}

/** What discovery learns of the system itself, leaving out what comes from this machine's /proc. */
const named = (os: OsFacts | undefined): Partial<OsFacts> => {
  if (!os) return {};
  const { uptimeSeconds: _u, virtualisation: _v, ...rest } = os;
  return rest;
};

type Expected = Partial<Pick<OsFacts, 'id' | 'name' | 'version' | 'versionId' | 'family' | 'prettyName' | 'release'>>;

/** What each system must be named: id, name, the full version and the family (Ansible's answer where it has one). */
const SYSTEMS: Record<string, Expected> = {
  rhel6: {
    id: 'rhel',
    name: 'Red Hat Enterprise Linux Server',
    version: '6.7',
    family: 'rhel',
    prettyName: 'Red Hat Enterprise Linux Server release 6.7 (Santiago)',
  },
  centos6: { id: 'centos', name: 'CentOS', version: '6.7', family: 'rhel', release: 'CentOS release 6.7 (Final)' },
  sles11: {
    id: 'sles',
    name: 'SUSE Linux Enterprise Server',
    version: '11.3',
    family: 'suse',
    prettyName: 'SUSE Linux Enterprise Server 11 SP3',
  },
  'ubuntu1004-lsb-only': { id: 'ubuntu', name: 'Ubuntu', version: '10.04.4', family: 'debian' },
  'amazon2-empty-os-release': { id: 'amzn', name: 'Amazon Linux', version: '2', family: 'rhel' },
  'amazon2018-empty-os-release': { id: 'amzn', name: 'Amazon Linux AMI', version: '2018.03', family: 'rhel' },
  'centos7-centos-release-only': { id: 'centos', name: 'CentOS Linux', version: '7.9.2009', family: 'rhel' },
  'rocky8-rocky-release-only': { id: 'rocky', name: 'Rocky Linux', version: '8.3', family: 'rhel' },
  'gentoo-release-only': { id: 'gentoo', name: 'Gentoo Base System', version: '2.18', family: 'gentoo' },
  // Arch is a rolling release: there is no version to find.
  'arch-release-only': { id: 'arch', name: 'Arch Linux', version: null, family: 'arch' },
  'rocky9.3-usr-lib-os-release': {
    id: 'rocky',
    version: '9.3',
    family: 'rhel',
    prettyName: 'Rocky Linux 9.3 (Blue Onyx)',
    release: 'Rocky Linux release 9.3 (Blue Onyx)',
  },
  'centos8.1': { id: 'centos', versionId: '8', version: '8.1.1911', family: 'rhel' },
  'virtuozzo7.3': { id: 'virtuozzo', versionId: '7', version: '7.3', family: 'rhel' },
  'sles-sap15.6': {
    id: 'sles_sap',
    name: 'SUSE Linux Enterprise Server for SAP Applications',
    version: '15.6',
    family: 'suse',
    prettyName: 'SUSE Linux Enterprise Server for SAP Applications 15 SP6',
  },
  sles4sap12sp2: {
    id: 'sles_sap',
    name: 'SUSE Linux Enterprise Server for SAP Applications',
    version: '12.2',
    family: 'suse',
  },
  'openeuler20.03': { id: 'openEuler', name: 'openEuler', version: '20.03', family: 'rhel' },
  'kylin-v10': { id: 'kylin', name: 'Kylin Linux Advanced Server', version: 'V10', family: 'rhel' },
  uos20: { id: 'UOS', name: 'UnionTech OS Server 20', version: '20', family: 'debian' },
  'uniontech-server20-uel20': { id: 'uos', name: 'UnionTech OS Server 20', version: '20', family: 'rhel' },
  'deepin20.4': { id: 'Deepin', name: 'Deepin', version: '20.4', family: 'debian' },
  'devuan-ascii': { id: 'devuan', name: 'Devuan GNU/Linux', version: '2', family: 'debian' },
  solaris10: { id: 'solaris', name: 'Oracle Solaris', version: '10', family: 'solaris' },
  'solaris11.4': { id: 'solaris', name: 'Oracle Solaris', version: '11.4', family: 'solaris' },
  'smartos-global-zone': { id: 'smartos', name: 'SmartOS', version: '20160330T234717Z', family: 'solaris' },
  'smartos-zone': { id: 'smartos', name: 'SmartOS', version: '14.3.0', family: 'solaris' },
  omnios: { id: 'omnios', name: 'OmniOS', version: 'r151012', family: 'solaris' },
  openindiana: { id: 'openindiana', name: 'OpenIndiana', version: 'oi_151.1.9', family: 'solaris' },
  nexenta3: { id: 'nexenta', name: 'Nexenta', version: '3.1.6', family: 'solaris' },
  nexenta4: { id: 'nexenta', name: 'Nexenta', version: '4.0.3-FP2', family: 'solaris' },
  // The userland (freebsd-version) is newer than the running kernel: a patch applied without a reboot.
  'freebsd13.2': {
    id: 'freebsd',
    name: 'FreeBSD',
    version: '13.2',
    family: 'freebsd',
    release: '13.2-RELEASE-p4',
    prettyName: 'FreeBSD 13.2-RELEASE-p4',
  },
  'freebsd11.1': { id: 'freebsd', name: 'FreeBSD', version: '11.1', family: 'freebsd', release: '11.1-RELEASE' },
  'netbsd8.2': { id: 'netbsd', name: 'NetBSD', version: '8.2', family: 'netbsd' },
  'openbsd6.2': { id: 'openbsd', name: 'OpenBSD', version: '6.2', family: 'openbsd' },
  'dragonfly5.6.2': { id: 'dragonfly', name: 'DragonFly', version: '5.6.2', family: 'dragonfly' },
};

describe('the os section on each system', () => {
  expectShells();
  const systems = Object.keys(SYSTEMS);
  const byShell = SHELLS.map((shell) => runOs(shell, systems));

  for (const [system, expected] of Object.entries(SYSTEMS)) {
    it(`names ${system} with its version and family`, () => {
      const [dash, bash, busybox] = byShell.map((m) => m.get(system));
      expect(dash).toMatchObject(expected);
      // The same answer under every shell, and the kernel from uname (the stub's, off Linux).
      expect(named(bash)).toEqual(named(dash));
      expect(named(busybox)).toEqual(named(dash));
      const stubbed = existsSync(join(FIXTURES, system, 'uname'));
      const kernel = !stubbed ? 'Linux' : expected.family === 'solaris' ? 'SunOS' : expected.name;
      expect(dash?.kernel.name).toBe(kernel);
    });
  }

  it('keeps the kernel release and machine apart from the version uname prints between them', () => {
    expect(byShell[0]?.get('dragonfly5.6.2')?.kernel).toEqual({
      name: 'DragonFly',
      release: '5.6-RELEASE',
      machine: 'x86_64',
    });
    expect(byShell[2]?.get('solaris11.4')?.kernel).toEqual({ name: 'SunOS', release: '5.11', machine: 'sun4v' });
  });

  it('reads a last line without a newline, and only the version line of the freebsd-version script', () => {
    expect(byShell[0]?.get('sles11')?.release).toBe('SUSE Linux Enterprise Server 11 (x86_64)');
    expect(byShell[1]?.get('amazon2-empty-os-release')?.release).toBe('Amazon Linux release 2 (Karoo)');
    expect(byShell[2]?.get('freebsd13.2')?.release).toBe('13.2-RELEASE-p4');
  });
});

describe('the kernel on Linux', () => {
  it('is read from /proc/sys/kernel with no uname process, and is what uname answers', () => {
    expect(existsSync('/proc/sys/kernel/arch'), 'this test needs Linux 6.1 or later (kernel.arch)').toBe(true);
    // A uname that fails: the kernel's name, release and machine can only come from its own files.
    const dir = join(stubs, 'failing-uname');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'uname'), '#!/bin/sh\nexit 1\n');
    chmodSync(join(dir, 'uname'), 0o755);
    const body = [`PATH=${quoteArg(dir)}:"$PATH"`, 'mk section os; s_os </dev/null 2>/dev/null; mk end os', 'mk done'];
    const real = (flag: string) => spawnSync('uname', [flag], { encoding: 'utf8' }).stdout.trim();
    for (const shell of SHELLS) {
      expect(buildOs(frame(runSystemSections(shell, B, body), B)).kernel).toEqual({
        name: real('-s'),
        release: real('-r'),
        machine: real('-m'),
      });
    }
  });
});

describe('the root a test passes', () => {
  it('is reachable only as an argument the discovery script never gives', () => {
    const script = discoveryScript({ boundary: newDiscoveryBoundary() });
    // Sections run through `sec`, which calls each function with no argument; nothing else calls s_os.
    expect(script).toContain('"s_$1" </dev/null');
    expect(script.match(/s_os\b/g)).toEqual(['s_os']);
    expect(script).not.toMatch(/STEWARD_ROOT/);
  });
});

describe('osFamily', () => {
  it('infers the family without ID_LIKE, from the hints where the ID is ambiguous', () => {
    expect(osFamily('openEuler', [])).toBe('rhel');
    expect(osFamily('Deepin', [])).toBe('debian');
    expect(osFamily('devuan', [])).toBe('debian');
    expect(osFamily('kylin', [], { deb: true })).toBe('debian');
    expect(osFamily('kylin', [])).toBe('rhel');
    expect(osFamily('uos', [], { rpm: true })).toBe('rhel');
    expect(osFamily('uos', [])).toBe('debian');
    expect(osFamily('opensuse-leap', ['suse', 'opensuse'])).toBe('suse');
    expect(osFamily('something', [])).toBe('other');
  });
});

describe('identifyOs', () => {
  const linux = { sysname: 'Linux', release: '6.1.0', version: null, machine: 'x86_64' };

  it('takes the point release from os-release VERSION or debian_version, and a derivative keeps its own', () => {
    const ubuntu = identifyOs(
      new Map([
        ['/etc/os-release', 'ID=ubuntu\nID_LIKE=debian\nVERSION_ID="22.04"\nVERSION="22.04.3 LTS (Jammy Jellyfish)"\n'],
        ['/etc/debian_version', 'bookworm/sid\n'],
      ]),
      linux,
    );
    expect(ubuntu).toMatchObject({ id: 'ubuntu', versionId: '22.04', version: '22.04.3', release: 'bookworm/sid' });
    const debian = identifyOs(
      new Map([
        ['/etc/os-release', 'NAME="Debian GNU/Linux"\nID=debian\nVERSION_ID="12"\n'],
        ['/etc/debian_version', '12.5\n'],
      ]),
      linux,
    );
    expect(debian).toMatchObject({ versionId: '12', version: '12.5', prettyName: 'Debian GNU/Linux 12.5' });
  });

  it('says nothing rather than guess when no file names the system', () => {
    expect(identifyOs(new Map(), linux)).toMatchObject({ id: null, family: 'other', version: null });
  });
});
