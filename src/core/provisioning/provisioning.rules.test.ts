import { describe, expect, it } from 'vitest';
import { isAppError } from '../../kernel/errors.js';
import { Secret } from '../../kernel/secret.js';
import {
  accountSpecFrom,
  confirmationMatches,
  launchStage,
  providerHostKeys,
  providerToken,
} from './provisioning.rules.js';
import type { ConnectAccountInput, LaunchRow } from './provisioning.types.js';

const messageOf = (input: ConnectAccountInput): string => {
  try {
    accountSpecFrom(input);
    return 'ok';
  } catch (err) {
    return isAppError(err) ? err.message : 'thrown';
  }
};

describe('provisioning rules', () => {
  it('splits an EC2 key pair into a sealed secret and a hint of four characters', () => {
    const spec = accountSpecFrom({
      provider: 'ec2',
      name: 'x',
      region: 'eu-west-1',
      accessKeyId: 'AKIAABCDEFGHIJKL1234',
      secretAccessKey: new Secret('s3cr3t'),
    });
    expect(spec).toMatchObject({
      auth: 'access_key',
      hint: '…1234',
      secret: { kind: 'aws', accessKeyId: 'AKIAABCDEFGHIJKL1234', secretAccessKey: 's3cr3t' },
    });
    expect(JSON.stringify(spec.settings)).not.toContain('s3cr3t');
  });

  it('says what is missing or misplaced without echoing what was typed', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    expect(
      messageOf({
        provider: 'ec2',
        name: 'x',
        region: secret,
        accessKeyId: 'AKIAABCDEFGHIJKL1234',
        secretAccessKey: new Secret('s'),
      }),
    ).not.toContain(secret.slice(0, 8));
    expect(
      messageOf({
        provider: 'ec2',
        name: 'x',
        region: 'eu-west-1',
        accessKeyId: secret,
        secretAccessKey: new Secret('s'),
      }),
    ).not.toContain(secret.slice(0, 8));
    expect(
      messageOf({ provider: 'elastichosts', name: 'x', zone: secret, user: 'u', secretKey: new Secret('k') }),
    ).not.toContain(secret.slice(0, 8));
    expect(
      messageOf({
        provider: 'elastichosts',
        name: 'x',
        region: 'eu-west-1',
        zone: 'lon-p',
        user: 'u',
        secretKey: new Secret('k'),
      }),
    ).toMatch(/region does not apply/);
  });

  it('derives provider tokens per account, within EC2’s limits', () => {
    const t = providerToken('acct_1', 'mine');
    expect(t).toMatch(/^[\x21-\x7e]{1,64}$/);
    expect(providerToken('acct_1', 'mine')).toBe(t);
    expect(providerToken('acct_2', 'mine')).not.toBe(t);
  });

  it('confirms destruction by exact id or name only', () => {
    expect(confirmationMatches('i-1', { id: 'i-1', name: 'web' })).toBe(true);
    expect(confirmationMatches('web', { id: 'i-1', name: 'web' })).toBe(true);
    expect(confirmationMatches('Web', { id: 'i-1', name: 'web' })).toBe(false);
    expect(confirmationMatches('', { id: 'i-1', name: '' })).toBe(false);
  });

  it('reads provider host keys only when well formed', () => {
    const fp = `SHA256:${'A'.repeat(43)}`;
    const node = (extra: Record<string, unknown>) => ({
      id: 'i',
      name: '',
      state: 'running' as const,
      publicIps: [],
      privateIps: [],
      sizeId: undefined,
      imageId: undefined,
      locationId: undefined,
      created: undefined,
      extra,
    });
    expect(providerHostKeys(node({ hostKeyFingerprints: [fp, 'MD5:xx', 3] }))).toEqual([fp]);
    expect(providerHostKeys(node({}))).toEqual([]);
  });

  it('follows a launch into its server’s enrolment', () => {
    const row = { status: 'adopted' } as LaunchRow;
    expect(launchStage({ ...row, status: 'waiting' }, undefined)).toBe('waiting');
    expect(launchStage(row, 'enrolling')).toBe('enrolling');
    expect(launchStage(row, 'ready')).toBe('ready');
    expect(launchStage(row, 'unreachable')).toBe('failed');
    expect(launchStage(row, undefined)).toBe('adopted');
  });
});
