import { describe, expect, it } from 'vitest';
import { lineTimeMs, parseAuthEvents } from './auth-events.js';

const T = Date.UTC(2026, 10, 29, 10, 0, 0);
const at = (lines: string[]) => lines.map((line, i) => ({ line, observedMs: T + i }));

describe('reading sshd authentication lines', () => {
  it('failed and accepted logins in syslog form, journal form and sshd’s bare stderr form', () => {
    const events = parseAuthEvents(
      at([
        'Nov 29 10:00:00 web-1 sshd[4242]: Failed password for root from 203.0.113.9 port 50022 ssh2',
        '2026-11-29T10:00:01.123456+00:00 web-1 sshd[4243]: Failed password for invalid user admin from 203.0.113.9 port 50023 ssh2',
        'Failed password for alice from 10.213.0.1 port 60440 ssh2\r',
        'Accepted publickey for root from 10.213.0.1 port 41950 ssh2: ED25519 SHA256:b/BdnWFJAhFZU8C3m/tW0zEcg1itZhq00Cu6QWbQABI',
        'Nov 29 10:00:02 web-1 sshd[4244]: Accepted password for deploy from 2001:db8::7 port 51000 ssh2',
      ]),
    );
    expect(events.map((e) => `${e.kind} ${e.user} ${e.address} ${e.port} ${e.method} ${e.invalidUser}`)).toEqual([
      'failure root 203.0.113.9 50022 password false',
      'failure alice 10.213.0.1 60440 password false',
      'success root 10.213.0.1 41950 publickey false',
      'success deploy 2001:db8::7 51000 password false',
      'failure admin 203.0.113.9 50023 password true',
    ]);
    expect(events.at(-1)!.atMs).toBe(Date.parse('2026-11-29T10:00:01.123456+00:00'));
  });

  it('a connection that never got to try a password counts once, not once per line', () => {
    const events = parseAuthEvents(
      at([
        'Invalid user oracle from 198.51.100.4 port 40001',
        'Connection closed by invalid user oracle 198.51.100.4 port 40001 [preauth]',
        'Connection closed by authenticating user root 198.51.100.4 port 40002 [preauth]',
        'Disconnected from authenticating user root 198.51.100.4 port 40002 [preauth]',
        'Failed password for invalid user test from 198.51.100.4 port 40003 ssh2',
        'Connection closed by invalid user test 198.51.100.4 port 40003 [preauth]',
      ]),
    );
    expect(
      events
        .filter((e) => e.kind === 'failure')
        .map((e) => e.port)
        .sort(),
    ).toEqual([40001, 40002, 40003]);
  });

  it('ignores lines it does not know and addresses that are not addresses', () => {
    expect(
      parseAuthEvents(
        at([
          'Server listening on 0.0.0.0 port 22.',
          'Failed password for root from not-an-ip port 1 ssh2',
          'Received disconnect from 10.213.0.1 port 60440:11:  [preauth]',
        ]),
      ),
    ).toEqual([]);
  });

  it('times: ISO stamps are read, classic syslog stamps are not guessed at', () => {
    expect(lineTimeMs('2026-11-29T10:00:01Z host sshd[1]: x')).toBe(Date.UTC(2026, 10, 29, 10, 0, 1));
    expect(lineTimeMs('Nov 29 10:00:00 host sshd[1]: x')).toBeNull();
  });
});
