import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateEd25519KeyPair } from '../../../remote/index.js';
import { RECIPES } from './index.js';
import { account, generatePassword, grantDatabase, sqlIdent, sqlString } from './mysql.js';
import { keyFingerprint, publicKeyLine, serviceName, sqlName, unixUser } from './params.js';

const PAYLOADS = [
  'a;id',
  '$(touch /tmp/pwn)',
  '`id`',
  'a\nb',
  'a\0b',
  "a' OR 1=1 --",
  '-oProxyCommand=x',
  '--',
  '*',
  'A'.repeat(300),
  'ü',
  '../x',
  'a b',
];

describe('recipe parameters', () => {
  it('accept only strict names; injection payloads are refused', () => {
    for (const bad of PAYLOADS) {
      expect(sqlName.safeParse(bad).success, bad).toBe(false);
      expect(serviceName.safeParse(bad).success, bad).toBe(false);
      expect(unixUser.safeParse(bad).success, bad).toBe(false);
    }
    expect(sqlName.safeParse('app_db').success).toBe(true);
    expect(sqlName.safeParse('App').success).toBe(false);
    expect(serviceName.safeParse('php8.2-fpm').success).toBe(true);
    expect(serviceName.safeParse('getty@tty1').success).toBe(true);
    expect(unixUser.safeParse('root').success).toBe(false);
  });

  it('never accept a value that could be more than one shell word or SQL token', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (value) => {
        if (sqlName.safeParse(value).success) expect(value).toMatch(/^[a-z0-9_]+$/);
        if (serviceName.safeParse(value).success) expect(value).toMatch(/^[A-Za-z0-9][A-Za-z0-9_.@-]*$/);
      }),
      { numRuns: 5000 },
    );
  });

  it('take one real OpenSSH public key line, with nothing in front and nothing after', () => {
    const { publicKey } = generateEd25519KeyPair('ops@example');
    const line = publicKey.trim();
    expect(publicKeyLine.parse(`  ${line}\n`)).toBe(line);
    expect(keyFingerprint(line)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(publicKeyLine.safeParse(`command="id" ${line}`).success).toBe(false);
    expect(publicKeyLine.safeParse(`${line}\n${line}`).success).toBe(false);
    expect(publicKeyLine.safeParse(line.replace('ssh-ed25519', 'ssh-rsa')).success).toBe(false);
    expect(publicKeyLine.safeParse('ssh-ed25519 not-base64!').success).toBe(false);
  });
});

describe('SQL text', () => {
  it('quotes literals and identifiers, and escapes GRANT wildcards', () => {
    expect(sqlString("a'b\\c")).toBe("'a\\'b\\\\c'");
    expect(sqlIdent('we`ird')).toBe('`we``ird`');
    expect(grantDatabase('my_db')).toBe('`my\\_db`');
    expect(account('app')).toBe("'app'@'localhost'");
  });

  it('generates 32-character passwords of letters and digits, different each time', () => {
    const passwords = new Set(Array.from({ length: 200 }, generatePassword));
    expect(passwords.size).toBe(200);
    for (const p of passwords) expect(p).toMatch(/^[A-Za-z0-9]{32}$/);
  });
});

describe('the recipe registry', () => {
  it('offers the six recipes, each with unique step ids and parameters that validate', () => {
    const { publicKey } = generateEd25519KeyPair('ops@example');
    const params: Record<string, unknown> = {
      'initial-setup': { authorizedKey: publicKey },
      'web-server': {},
      database: { name: 'app', user: 'app' },
      'rotate-database-password': { name: 'app', user: 'app' },
      'patch-os': {},
      'restart-service': { service: 'nginx' },
    };
    expect([...RECIPES.keys()].sort()).toEqual(Object.keys(params).sort());
    for (const [id, recipe] of RECIPES) {
      expect(recipe.id).toBe(id);
      const steps = recipe.steps(recipe.params.parse(params[id]));
      expect(new Set(steps.map((s) => s.id)).size).toBe(steps.length);
      expect(recipe.kind).toBe(id === 'rotate-database-password' || id === 'restart-service' ? 'action' : 'state');
    }
    expect(RECIPES.get('initial-setup')?.params.parse({ authorizedKey: publicKey })).toMatchObject({
      adminUser: 'steward-admin',
    });
    expect(RECIPES.get('web-server')?.params.safeParse({ extra: 1 }).success).toBe(false);
    expect(RECIPES.get('database')?.params.safeParse({ engine: 'postgres', name: 'a', user: 'b' }).success).toBe(false);
  });
});
