import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostMode } from './types.js';

/** What this machine lacks for test hosts, in words and as Debian packages to install. */
export interface PrerequisiteReport {
  readonly ok: boolean;
  readonly problems: readonly string[];
  /** Debian packages whose installation fixes the missing tools. */
  readonly missingPackages: readonly string[];
}

const PATH_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Tools the launcher runs on this machine, and the package that ships each. */
const TOOLS: readonly { tool: string; pkg: string; isolatedOnly?: boolean }[] = [
  { tool: 'sshd', pkg: 'openssh-server' },
  { tool: 'ssh-keygen', pkg: 'openssh-client' },
  { tool: 'ip', pkg: 'iproute2' },
  { tool: 'flock', pkg: 'util-linux' },
  { tool: 'mount', pkg: 'mount' },
  { tool: 'umount', pkg: 'mount' },
  { tool: 'unshare', pkg: 'util-linux', isolatedOnly: true },
  { tool: 'nsenter', pkg: 'util-linux', isolatedOnly: true },
  { tool: 'chroot', pkg: 'coreutils', isolatedOnly: true },
  { tool: 'debootstrap', pkg: 'debootstrap', isolatedOnly: true },
  // debootstrap verifies the archive's signatures with these.
  { tool: 'gpgv', pkg: 'gpgv', isolatedOnly: true },
];

const ARCHIVE_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

function onPath(tool: string): boolean {
  return PATH_DIRS.some((dir) => {
    try {
      accessSync(join(dir, tool), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function hasOverlay(): boolean {
  try {
    return /\toverlay$/m.test(readFileSync('/proc/filesystems', 'utf8'));
  } catch {
    return false;
  }
}

/** Looks, without changing anything, for what launching hosts of this mode needs. */
export function checkPrerequisites(mode: HostMode = 'isolated'): PrerequisiteReport {
  const problems: string[] = [];
  const packages = new Set<string>();
  if (process.getuid?.() !== 0) problems.push('test hosts need root (namespaces, mounts, sshd on port 22)');
  for (const { tool, pkg, isolatedOnly } of TOOLS) {
    if (isolatedOnly && mode !== 'isolated') continue;
    if (!onPath(tool)) {
      problems.push(`${tool} is missing (package ${pkg})`);
      packages.add(pkg);
    }
  }
  if (mode === 'isolated') {
    if (!existsSync(ARCHIVE_KEYRING)) {
      problems.push(`${ARCHIVE_KEYRING} is missing (package debian-archive-keyring)`);
      packages.add('debian-archive-keyring');
    }
    if (!hasOverlay()) problems.push('the overlay file system is not available (modprobe overlay)');
  }
  return { ok: problems.length === 0, problems, missingPackages: [...packages] };
}
