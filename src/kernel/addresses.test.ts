import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import {
  AddressRefusedError,
  classifyAddress,
  guardedLookup,
  ownAddresses,
  parseAddressPolicy,
  providerAddressPolicy,
  resolveAllowed,
} from './addresses.js';

const fixed =
  (answers: Record<string, string[]>) =>
  (host: string, cb: (err: NodeJS.ErrnoException | null, a: LookupAddress[]) => void) =>
    cb(
      null,
      (answers[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );

describe('address classes', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['2a00:1450::1', 'public'],
    ['10.1.2.3', 'private'],
    ['172.31.0.9', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fd12::1', 'private'],
    ['127.0.64.7', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['[::ffff:7f00:1]', 'loopback'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['2002:7f00:1::', 'loopback'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['192.0.2.2', 'reserved'],
    ['203.0.113.7', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['2001:db8::1', 'reserved'],
  ])('%s is %s', (ip, cls) => {
    expect(classifyAddress(ip)).toBe(cls);
  });
});

describe('address policies', () => {
  it('by default for servers: public and private, nothing local, no metadata, not Steward’s own', () => {
    const p = parseAddressPolicy('public,private');
    expect(['8.8.8.8', '10.213.0.2', 'fd12::1'].every((a) => p.allows(a))).toBe(true);
    for (const a of ['127.0.0.1', '::1', '0.0.0.0', '169.254.169.254', 'fe80::1', '192.0.2.9', '::ffff:127.0.0.1'])
      expect(p.allows(a), a).toBe(false);
    for (const own of ownAddresses()) if (classifyAddress(own) !== 'loopback') expect(p.allows(own), own).toBe(false);
  });

  it('takes explicit ranges and refusals, refusals first', () => {
    const p = parseAddressPolicy('public, 10.20.0.0/16, !8.8.4.0/24, loopback');
    expect(p.allows('10.20.3.4')).toBe(true);
    expect(p.allows('10.21.3.4')).toBe(false);
    expect(p.allows('8.8.4.4')).toBe(false);
    expect(p.allows('8.8.8.8')).toBe(true);
    expect(p.allows('127.0.64.9')).toBe(true);
    expect(p.describe).toBe('public,10.20.0.0/16,!8.8.4.0/24,loopback');
  });

  it('refuses nonsense with a message naming what is wrong', () => {
    expect(() => parseAddressPolicy('')).toThrow(/empty/);
    expect(() => parseAddressPolicy('public,intranet')).toThrow(/"intranet" is neither a class/);
    expect(() => parseAddressPolicy('10.0.0.0/33')).toThrow(/neither a class/);
    expect(() => parseAddressPolicy('!private')).toThrow(/leaving it out/);
  });

  it('providers: public only, loopback only for the sandbox', () => {
    expect(providerAddressPolicy(false).allows('127.0.0.1')).toBe(false);
    expect(providerAddressPolicy(true).allows('127.0.0.1')).toBe(true);
    expect(providerAddressPolicy(true).allows('10.0.0.1')).toBe(false);
  });
});

describe('the guarded lookup', () => {
  const policy = parseAddressPolicy('public');

  it('hands back the checked address', async () => {
    await expect(resolveAllowed('api.example', policy, fixed({ 'api.example': ['8.8.8.8'] }))).resolves.toEqual({
      address: '8.8.8.8',
      family: 4,
    });
  });

  it('refuses a name when any of its addresses is refused, and names that resolve to nothing', async () => {
    const resolve = fixed({ mixed: ['8.8.8.8', '127.0.0.1'], inside: ['10.0.0.1'], empty: [] });
    for (const host of ['mixed', 'inside', 'empty'])
      await expect(resolveAllowed(host, policy, resolve)).rejects.toBeInstanceOf(AddressRefusedError);
  });

  it('checks every lookup afresh, so a name that rebinds to a private address is refused at connect time', async () => {
    let calls = 0;
    const rebinding = (host: string, cb: (err: NodeJS.ErrnoException | null, a: LookupAddress[]) => void) =>
      cb(null, [{ address: ++calls === 1 ? '8.8.8.8' : '169.254.169.254', family: 4 }]);
    const lookup = guardedLookup(policy, rebinding);
    const once = () =>
      new Promise<unknown>((resolve) =>
        lookup('rebind.example', {}, (err: unknown, address: unknown) => resolve(err ?? address)),
      );
    expect(await once()).toBe('8.8.8.8');
    expect(await once()).toBeInstanceOf(AddressRefusedError);
  });

  it('passes DNS failures through', async () => {
    const failing = (_h: string, cb: (err: NodeJS.ErrnoException | null, a: LookupAddress[]) => void) =>
      cb(Object.assign(new Error('nope'), { code: 'ENOTFOUND' }), []);
    await expect(resolveAllowed('nowhere.example', policy, failing)).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });
});
