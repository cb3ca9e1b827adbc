/**
 * sshd's authentication lines, from a syslog file (`… sshd[123]: Failed password …`), the journal or sshd's
 * own stderr (no prefix at all). Only what the rules need: failures and successes with user, address and
 * source port. Connections that gave up before any password or key was tried (invalid user, or a real user
 * against a server that takes keys only) count as one failure each, unless a `Failed …` line already counted
 * that connection. Pure.
 */
import { isIP } from 'node:net';
import type { AuthEvent } from './detection.types.js';

const FAILED =
  /Failed (password|publickey|keyboard-interactive\/pam|none|hostbased) for (invalid user )?(\S*) from (\S+) port (\d+)/;
const ACCEPTED =
  /Accepted (password|publickey|keyboard-interactive\/pam|hostbased|gssapi-with-mic) for (\S+) from (\S+) port (\d+)/;
const GAVE_UP =
  /(?:Invalid user (\S*) from (\S+) port (\d+))|(?:(?:Connection closed|Disconnected) by (?:invalid|authenticating) user (\S*) (\S+) port (\d+) \[preauth\])/;
const ISO_TIME = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)\s/;

/** The line's own time when it carries a full ISO time stamp; classic syslog stamps have no year or zone. */
export function lineTimeMs(line: string): number | null {
  const m = ISO_TIME.exec(line);
  if (!m) return null;
  const ms = Date.parse(m[1]!.replace(' ', 'T'));
  return Number.isFinite(ms) ? ms : null;
}

const address = (s: string | undefined): string | null => (s && isIP(s) ? s : null);

export function parseAuthEvents(lines: readonly { readonly line: string; readonly observedMs: number }[]): AuthEvent[] {
  const out: AuthEvent[] = [];
  const counted = new Set<string>();
  const gaveUp: AuthEvent[] = [];
  for (const { line, observedMs } of lines) {
    const atMs = lineTimeMs(line) ?? observedMs;
    const f = FAILED.exec(line);
    if (f) {
      const addr = address(f[4]);
      if (!addr) continue;
      counted.add(`${addr}:${f[5]}`);
      out.push({
        kind: 'failure',
        method: f[1]!,
        invalidUser: f[2] !== undefined,
        user: f[3] || null,
        address: addr,
        port: Number(f[5]),
        atMs,
        line,
      });
      continue;
    }
    const a = ACCEPTED.exec(line);
    if (a) {
      const addr = address(a[3]);
      if (addr)
        out.push({
          kind: 'success',
          method: a[1]!,
          invalidUser: false,
          user: a[2]!,
          address: addr,
          port: Number(a[4]),
          atMs,
          line,
        });
      continue;
    }
    const g = GAVE_UP.exec(line);
    if (g) {
      const addr = address(g[2] ?? g[5]);
      const port = g[3] ?? g[6];
      if (addr)
        gaveUp.push({
          kind: 'failure',
          method: null,
          invalidUser: /[Ii]nvalid user/.test(line),
          user: (g[1] ?? g[4]) || null,
          address: addr,
          port: Number(port),
          atMs,
          line,
        });
    }
  }
  // A connection shows several of these lines ("Invalid user", then "Connection closed"): one failure each.
  for (const e of gaveUp) {
    const conn = `${e.address}:${e.port}`;
    if (counted.has(conn)) continue;
    counted.add(conn);
    out.push(e);
  }
  return out.sort((x, y) => x.atMs - y.atMs);
}
