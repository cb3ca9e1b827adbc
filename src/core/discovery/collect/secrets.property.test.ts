/**
 * The promise behind discovered secrets: whatever the credential is, it ends up in `foundSecrets` exactly and
 * nowhere in the facts, even when it also appears in a log line or a process's arguments.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { framedOutput, type Piece } from '../fixtures/framed-output.js';
import type { DiscoveryResult } from './facts.js';
import { parseDiscoveryOutput } from './parse.js';

const B = 'PropertyBoundary0123456789';
const NOW = new Date('2026-06-01T00:00:00Z');

/** Printable ASCII, no leading or trailing blank (those are trimmed by every format), at least 8 characters. */
const printable = (exclude: string): fc.Arbitrary<string> =>
  fc
    .array(
      fc
        .integer({ min: 0x21, max: 0x7e })
        .map((c) => String.fromCharCode(c))
        .filter((c) => !exclude.includes(c)),
      { minLength: 2, maxLength: 4 },
    )
    .chain((ends) =>
      fc
        .array(
          fc
            .integer({ min: 0x20, max: 0x7e })
            .map((c) => String.fromCharCode(c))
            .filter((c) => !exclude.includes(c)),
          { minLength: 6, maxLength: 36 },
        )
        .map((mid) => `${ends.slice(0, 1).join('')}${mid.join('')}${ends.slice(1).join('')}`),
    );
const withLines = fc.array(printable(''), { minLength: 1, maxLength: 3 }).map((parts) => parts.join('\n'));

type Format = 'env' | 'wp-config' | 'my.cnf' | 'pgpass' | 'redis';

interface Case {
  readonly format: Format;
  readonly path: string;
  readonly key: string;
  readonly pieces: { section: string; piece: Piece }[];
}

function place(format: Format, value: string, name: string): Case {
  switch (format) {
    case 'env': {
      const quoted = `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$/g, '\\$').replace(/\n/g, '\\n')}"`;
      const content = `# settings\nAPP_NAME=shop\n${name}=${quoted}\nPORT=3000\n`;
      return {
        format,
        path: '/srv/app/.env',
        key: name,
        pieces: [{ section: 'apps', piece: { file: '/srv/app/.env', tag: 'env', content } }],
      };
    }
    case 'wp-config': {
      const quoted = `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
      const content = `<?php\n/** config */\ndefine( 'DB_NAME', 'wp' );\ndefine( 'DB_USER', 'wp_user' );\ndefine( 'DB_PASSWORD', ${quoted} );\ndefine( 'DB_HOST', 'localhost' );\n$table_prefix = 'wp_';\n`;
      return {
        format,
        path: '/var/www/site/wp-config.php',
        key: 'DB_PASSWORD',
        pieces: [{ section: 'apps', piece: { file: '/var/www/site/wp-config.php', tag: 'wp-config', content } }],
      };
    }
    case 'my.cnf': {
      const content = `[mysqld]\ndatadir=/var/lib/mysql\n\n[client]\nuser = admin\npassword = "${value.replace(/\\/g, '\\\\')}"\n`;
      return {
        format,
        path: '/root/.my.cnf',
        key: '[client] password',
        pieces: [{ section: 'credentials', piece: { file: '/root/.my.cnf', tag: 'my.cnf:root', content } }],
      };
    }
    case 'pgpass': {
      const content = `# host:port:db:user:password\nlocalhost:5432:app:app_user:${value.replace(/\\/g, '\\\\').replace(/:/g, '\\:')}\n`;
      return {
        format,
        path: '/home/deploy/.pgpass',
        key: 'password',
        pieces: [{ section: 'credentials', piece: { file: '/home/deploy/.pgpass', tag: 'pgpass:deploy', content } }],
      };
    }
    case 'redis': {
      const content = `bind 127.0.0.1\nport 6379\nrequirepass "${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"\ndir /var/lib/redis\n`;
      return {
        format,
        path: '/etc/redis/redis.conf',
        key: 'requirepass',
        pieces: [{ section: 'credentials', piece: { file: '/etc/redis/redis.conf', tag: 'redis', content } }],
      };
    }
  }
}

/** Each format with the characters it can carry in a value (my.cnf has no escape for its own quote). */
const CASES: fc.Arbitrary<{ format: Format; value: string; name: string }> = fc.oneof(
  fc.record({
    format: fc.constant<Format>('env'),
    value: fc.oneof(printable(''), withLines),
    name: fc.constantFrom('DB_PASSWORD', 'API_KEY', 'JWT_SECRET', 'MAIL_PASSWORD', 'AUTH_TOKEN', 'STRIPE_SECRET_KEY'),
  }),
  fc.record({ format: fc.constant<Format>('wp-config'), value: printable(''), name: fc.constant('DB_PASSWORD') }),
  fc.record({ format: fc.constant<Format>('my.cnf'), value: printable('"'), name: fc.constant('password') }),
  fc.record({ format: fc.constant<Format>('pgpass'), value: printable(''), name: fc.constant('password') }),
  fc.record({ format: fc.constant<Format>('redis'), value: printable(''), name: fc.constant('requirepass') }),
);

/** The same credential also leaks into a log line and a process's arguments, as real ones do. */
function output(c: Case, value: string): string {
  const firstLine = value.split('\n')[0] ?? value;
  const sections: Record<string, Piece[]> = {
    processes: [
      {
        text: 'ps-procps',
        lines: ['    1     0     0  0.0  0.1  1000 init', ' 4242     1  1000  1.5  0.3  2000 worker'],
      },
      { text: 'ps-args', lines: ['    1 /sbin/init', ` 4242 /usr/bin/worker --opt ${firstLine} --verbose`] },
    ],
    apps: [],
    credentials: [],
    logs: [
      {
        log: '/var/log/app.log',
        size: 100,
        mtime: 1_700_000_000,
        content: `started\nconnecting with ${value}\ndone\n`,
      },
    ],
  };
  for (const p of c.pieces) sections[p.section]?.push(p.piece);
  return framedOutput(B, sections);
}

function traces(value: string): string[] {
  const out = [value, JSON.stringify(value).slice(1, -1), Buffer.from(value).toString('base64')];
  for (const line of value.split('\n')) if (line.trim().length >= 4) out.push(line.trim());
  return out;
}

describe('found secrets never reach the facts', () => {
  it('for random values in .env, wp-config.php, my.cnf, .pgpass and redis.conf', () => {
    fc.assert(
      fc.property(CASES, ({ format, value, name }) => {
        fc.pre(!/^(password_here|null)$/i.test(value.trim()));
        const c = place(format, value, name);
        const r: DiscoveryResult = parseDiscoveryOutput(output(c, value), B, { now: NOW });
        const found = r.foundSecrets.filter((s) => s.location === c.path && s.key === c.key);
        expect(found).toHaveLength(1);
        expect(found[0]?.value.reveal()).toBe(value);
        expect(found[0]?.context.format).toBe(format);
        const json = JSON.stringify(r.facts);
        for (const t of traces(value)) expect(json).not.toContain(t);
        // Serialising the secrets by mistake does not leak them either.
        expect(JSON.stringify(r.foundSecrets)).not.toContain(value);
        // The facts still say where the credential was.
        expect(r.facts.locations.configFiles.find((f) => f.path === c.path)?.secretKeys).toContain(c.key);
      }),
      { numRuns: 400 },
    );
  });

  it('keeps the context that says what a credential is for, without the credential', () => {
    const c = place('wp-config', 'S3cr3t-Value!', 'DB_PASSWORD');
    const r = parseDiscoveryOutput(output(c, 'S3cr3t-Value!'), B, { now: NOW });
    expect(r.foundSecrets[0]?.context).toEqual({
      format: 'wp-config',
      line: 5,
      user: 'wp_user',
      database: 'wp',
      host: 'localhost',
    });
    expect(r.facts.logs[0]?.recentLines).toEqual(['started', 'connecting with [secret]', 'done']);
  });
});
