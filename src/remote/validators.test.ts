import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertValidHostname,
  assertValidRemotePath,
  assertValidUnixUser,
  isValidHostname,
  isValidRemotePath,
  isValidUnixUser,
} from './validators.js';

// Oracles written independently of the validators (loops and the URL parser, not the same regexes).

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

function labelOk(label: string): boolean {
  if (label.length < 1 || label.length > 63 || label.startsWith('-') || label.endsWith('-')) return false;
  for (const c of label)
    if (!(isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '-')) return false;
  return true;
}

function dottedQuadOk(value: string): boolean {
  const parts = value.split('.');
  return (
    parts.length === 4 &&
    parts.every(
      (p) =>
        p.length > 0 && p.length <= 3 && [...p].every(isDigit) && (p === '0' || !p.startsWith('0')) && Number(p) <= 255,
    )
  );
}

function ipv6Ok(value: string): boolean {
  if (!value.includes(':') || /[^0-9a-fA-F:.]/.test(value)) return false;
  try {
    return new URL(`http://[${value}]/`).hostname.length > 2;
  } catch {
    return false;
  }
}

function hostnameRule(value: string): boolean {
  if (value.length === 0 || value.length > 253 || value.startsWith('-')) return false;
  if (dottedQuadOk(value) || ipv6Ok(value)) return true;
  const labels = value.split('.');
  const last = labels[labels.length - 1] ?? '';
  return labels.every(labelOk) && ![...last].every(isDigit);
}

function unixUserRule(value: string): boolean {
  if (value.length < 1 || value.length > 32) return false;
  const first = value[0] ?? '';
  if (!((first >= 'a' && first <= 'z') || first === '_')) return false;
  return [...value.slice(1)].every((c) => (c >= 'a' && c <= 'z') || isDigit(c) || c === '_' || c === '-');
}

function remotePathRule(value: string): boolean {
  return (
    value.startsWith('/') &&
    !value.includes('\0') &&
    !value.includes('\n') &&
    !value.includes('\r') &&
    Buffer.byteLength(value) <= 4095
  );
}

const RUNS = 100_000;
const hostChars = fc.constantFrom(...'abcxyzAZ0123456789-.:%_ /;$`\'"\n\0é'.split(''));
const hostLike = fc.oneof(
  fc.string({ unit: hostChars, maxLength: 40 }),
  fc.array(fc.stringMatching(/^[a-z0-9-]{0,12}$/), { minLength: 1, maxLength: 5 }).map((l) => l.join('.')),
  fc.ipV4().map((ip) => ip),
  fc.ipV6(),
  fc.ipV4Extended(),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

describe('isValidHostname', () => {
  it(`accepts only RFC 1123 names or IP addresses (${RUNS} inputs)`, () => {
    fc.assert(
      fc.property(hostLike, (value) => !isValidHostname(value) || hostnameRule(value)),
      { numRuns: RUNS },
    );
  });

  it('the generated inputs include plenty of valid ones, so the property above is not vacuous', () => {
    const accepted = fc.sample(hostLike, { numRuns: 10_000, seed: 1 }).filter((v) => isValidHostname(v));
    expect(accepted.length).toBeGreaterThan(1_000);
  });

  it('accepts ordinary names and addresses', () => {
    for (const good of [
      'example.com',
      'a',
      'srv-01.eu-west.example.net',
      'xn--bcher-kva.example',
      '127.0.0.1',
      '10.0.0.255',
      '::1',
      '2001:db8::7',
      'fe80::1:2:3:4',
      'a.b1',
      `${'a'.repeat(63)}.com`,
    ]) {
      expect(isValidHostname(good), good).toBe(true);
    }
  });

  it('rejects the known-bad corpus', () => {
    const bad = [
      '',
      '-oProxyCommand=touch /tmp/pwn',
      '-x.example',
      'a-.example',
      'example.com.',
      '.example',
      'a..b',
      'ex ample.com',
      'example.com;id',
      '$(id).example',
      '`id`.example',
      'exa\nmple',
      'exa\0mple',
      'ex_ample.com',
      'bücher.example',
      '2130706433',
      '0x7f.1',
      '127.1',
      '017.0.0.1',
      '256.1.1.1',
      '1.2.3',
      '[::1]',
      'fe80::1%eth0',
      '::1%25lo',
      'localhost:22',
      `${'a'.repeat(64)}.com`,
      `${'a.'.repeat(127)}a`,
      'user@host',
      'http://example.com',
      '*.example.com',
    ];
    for (const value of bad) expect(isValidHostname(value), JSON.stringify(value)).toBe(false);
    expect(isValidHostname(undefined)).toBe(false);
    expect(isValidHostname(42)).toBe(false);
  });

  it('assertValidHostname throws STEWARD_INVALID_REMOTE_ARGUMENT with an escaped value', () => {
    expect(() => assertValidHostname('evil\nhost')).toThrow(
      expect.objectContaining({
        code: 'STEWARD_INVALID_REMOTE_ARGUMENT',
        details: { field: 'host', value: '"evil\\nhost"' },
      }),
    );
  });
});

const userLike = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'abz_-09AZ.$ \n@'.split('')), maxLength: 36 }),
  fc.stringMatching(/^[a-z_][a-z0-9_-]{0,40}$/),
  fc.string({ unit: 'binary', maxLength: 10 }),
);

describe('isValidUnixUser', () => {
  it(`accepts only ^[a-z_][a-z0-9_-]{0,31}$ (${RUNS} inputs)`, () => {
    fc.assert(
      fc.property(userLike, (value) => isValidUnixUser(value) === unixUserRule(value)),
      { numRuns: RUNS },
    );
  });

  it('rejects the known-bad corpus', () => {
    for (const value of [
      '',
      '-root',
      'Root',
      '0day',
      'a'.repeat(33),
      'deploy$',
      'ro ot',
      'root\n',
      'root;id',
      'r\0',
      'ünicode',
      '--',
      'a.b',
    ]) {
      expect(isValidUnixUser(value), JSON.stringify(value)).toBe(false);
    }
    expect(() => assertValidUnixUser('-oProxyCommand')).toThrow(
      expect.objectContaining({ code: 'STEWARD_INVALID_REMOTE_ARGUMENT' }),
    );
  });
});

const pathLike = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'/ab.-_ \n\r\0$é'.split('')), maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 30 }).map((s) => `/${s}`),
  fc.constant(`/${'x'.repeat(5000)}`),
);

describe('isValidRemotePath', () => {
  it(`accepts only absolute paths without NUL or line breaks (${RUNS} inputs)`, () => {
    fc.assert(
      fc.property(pathLike, (value) => isValidRemotePath(value) === remotePathRule(value)),
      { numRuns: RUNS },
    );
  });

  it('rejects the known-bad corpus', () => {
    for (const value of [
      '',
      'etc/passwd',
      './x',
      '-rf',
      '/etc/\npasswd',
      '/tmp/\0x',
      '/a\rb',
      '~/x',
      `/${'a'.repeat(4095)}`,
    ]) {
      expect(isValidRemotePath(value), JSON.stringify(value.slice(0, 20))).toBe(false);
    }
    expect(() => assertValidRemotePath('relative')).toThrow(
      expect.objectContaining({ code: 'STEWARD_INVALID_REMOTE_ARGUMENT' }),
    );
  });
});
