/**
 * Service lists from the three init systems:
 * - systemd: `systemctl list-units --type=service --all --no-legend --no-pager --plain`
 *   (`UNIT LOAD ACTIVE SUB DESCRIPTION...`) and `systemctl list-unit-files --type=service --no-legend`
 *   (`UNIT STATE [PRESET]`);
 * - OpenRC: `rc-status -a` (`Runlevel: x` headings, then ` name   [  started  ]`) and `rc-update show -v`
 *   (` name | runlevel ...`);
 * - SysV: the script's own `STATUS NAME ENABLED` lines from each init script's LSB `status` exit code
 *   (0 running, 1–2 dead, 3 stopped), or `service --status-all` (` [ + ]  name`).
 */
import type { Service, ServiceState } from '../facts.js';
import { words } from './util.js';

function systemdState(active: string, sub: string): ServiceState {
  if (active === 'active') return sub === 'running' || sub === 'exited' || sub === 'listening' ? 'running' : 'unknown';
  if (active === 'failed') return 'failed';
  if (active === 'inactive') return 'stopped';
  return 'unknown';
}

/** Unit files' enablement, keyed by unit name. */
export function parseSystemdUnitFiles(lines: readonly string[]): Map<string, boolean | null> {
  const out = new Map<string, boolean | null>();
  for (const line of lines) {
    const [unit, state] = words(line);
    if (!unit?.endsWith('.service') || !state) continue;
    const enabled =
      state === 'enabled' || state === 'enabled-runtime' || state === 'alias'
        ? true
        : state === 'disabled' || state === 'masked' || state === 'masked-runtime'
          ? false
          : null;
    out.set(unit, enabled);
  }
  return out;
}

export function parseSystemdUnits(
  lines: readonly string[],
  enablement: ReadonlyMap<string, boolean | null>,
): Service[] {
  const out: Service[] = [];
  for (const raw of lines) {
    // Older systemd prints a bullet before failed units even with --plain.
    const w = words(raw.replace(/^[\s●*]+/, ''));
    const [unit, load, active, sub, ...desc] = w;
    if (!unit?.endsWith('.service') || !load || !active || !sub) continue;
    if (load === 'not-found') continue;
    out.push({
      name: unit.replace(/\.service$/, ''),
      manager: 'systemd',
      state: systemdState(active, sub),
      enabled: enablement.get(unit) ?? null,
      description: desc.length > 0 ? desc.join(' ') : null,
    });
  }
  return out;
}

/** Names OpenRC starts at boot (`rc-update show -v`: a name with no runlevel is not enabled). */
export function parseRcUpdate(lines: readonly string[]): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const line of lines) {
    const m = /^\s*(\S+)\s*\|(.*)$/.exec(line);
    if (!m?.[1]) continue;
    const levels = words(m[2] ?? '');
    out.set(
      m[1],
      levels.some((l) => l !== 'shutdown'),
    );
  }
  return out;
}

export function parseRcStatus(lines: readonly string[], enablement: ReadonlyMap<string, boolean>): Service[] {
  const byName = new Map<string, Service>();
  for (const line of lines) {
    // Newer OpenRC adds the uptime of supervised daemons: `[  started 2 day(s) 04:05:36 (0) ]`.
    const m = /^\s+(\S+)\s+\[\s*([a-z]+)\b[^\]]*\]\s*$/.exec(line);
    if (!m?.[1] || !m[2]) continue;
    const status = m[2];
    const state: ServiceState =
      status === 'started' ? 'running' : status === 'stopped' ? 'stopped' : status === 'crashed' ? 'failed' : 'unknown';
    const prev = byName.get(m[1]);
    if (prev && prev.state === 'running') continue;
    byName.set(m[1], {
      name: m[1],
      manager: 'openrc',
      state,
      enabled: enablement.get(m[1]) ?? false,
      description: null,
    });
  }
  return [...byName.values()];
}

export function parseSysvStatus(lines: readonly string[]): Service[] {
  const out: Service[] = [];
  for (const line of lines) {
    const m = /^\s*\[\s*([+?-])\s*\]\s+(\S+)\s*$/.exec(line);
    if (!m?.[1] || !m[2]) continue;
    const state: ServiceState = m[1] === '+' ? 'running' : m[1] === '-' ? 'stopped' : 'unknown';
    out.push({ name: m[2], manager: 'sysv', state, enabled: null, description: null });
  }
  return out;
}

/** `0 postgresql 1`: LSB status exit code, init script, started at boot (rc2/3/5 S link) or not. */
export function parseSysvLsb(lines: readonly string[]): Service[] {
  const out: Service[] = [];
  for (const line of lines) {
    const m = /^(\d+) (\S+) ([01])$/.exec(line.trim());
    if (!m?.[1] || !m[2]) continue;
    const code = Number(m[1]);
    const state: ServiceState =
      code === 0 ? 'running' : code === 3 ? 'stopped' : code === 1 || code === 2 ? 'failed' : 'unknown';
    out.push({ name: m[2], manager: 'sysv', state, enabled: m[3] === '1', description: null });
  }
  return out;
}
