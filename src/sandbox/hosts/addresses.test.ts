import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isolatedAddresses,
  isolatedPool,
  isolatedSlots,
  parseIpv4,
  sharedAddress,
  sharedPool,
  sharedSlots,
} from './addresses.js';

describe('address plan', () => {
  const pool = isolatedPool('10.213.0.0/16');

  it('gives each isolated slot its own /30 inside the pool', () => {
    expect(isolatedSlots(pool)).toBe(16384);
    expect(isolatedAddresses(pool, 0)).toEqual({ peer: '10.213.0.1', host: '10.213.0.2', prefix: 30 });
    expect(isolatedAddresses(pool, 16383)).toEqual({ peer: '10.213.255.253', host: '10.213.255.254', prefix: 30 });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 16383 }), fc.integer({ min: 0, max: 16383 }), (a, b) => {
        const na = parseIpv4(isolatedAddresses(pool, a).host) >>> 2;
        const nb = parseIpv4(isolatedAddresses(pool, b).host) >>> 2;
        return (a === b) === (na === nb);
      }),
    );
  });

  it('keeps shared hosts on loopback, off .0, .255 and 127.0.0.0/24', () => {
    const shared = sharedPool('127.0.64.0/18');
    expect(sharedSlots(shared)).toBe(64 * 254);
    expect(sharedAddress(shared, 0)).toBe('127.0.64.1');
    expect(sharedAddress(shared, 253)).toBe('127.0.64.254');
    expect(sharedAddress(shared, 254)).toBe('127.0.65.1');
    expect(() => sharedPool('127.0.0.0/16')).toThrow(/127.0.0.0\/24/);
    expect(() => sharedPool('10.0.0.0/24')).toThrow(/127.0.0.0\/8/);
  });

  it('refuses ranges that could reach beyond this machine', () => {
    expect(() => isolatedPool('8.8.8.0/24')).toThrow(/must lie inside/);
    expect(() => isolatedPool('10.213.0.1/16')).toThrow(/host bits/);
    expect(() => isolatedPool('10.0.0.0/31')).toThrow();
    expect(() => isolatedAddresses(pool, 16384)).toThrow(/outside/);
  });
});
