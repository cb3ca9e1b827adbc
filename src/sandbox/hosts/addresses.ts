import { AppError } from '../../kernel/errors.js';

/** An IPv4 range as numbers, so slots can be counted and carved without string juggling. */
export interface Pool {
  readonly cidr: string;
  readonly base: number;
  readonly size: number;
}

/** Addresses of one isolated host's /30: the machine keeps `.1`, the host answers on `.2`. */
export interface IsolatedAddresses {
  readonly peer: string;
  readonly host: string;
  readonly prefix: 30;
}

export const DEFAULT_ISOLATED_POOL = '10.213.0.0/16';
export const DEFAULT_SHARED_POOL = '127.0.64.0/18';

function invalid(message: string): AppError {
  return new AppError('STEWARD_TESTHOSTS_INVALID_SPEC', message);
}

export function parseIpv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255))
    throw invalid(`${text} is not an IPv4 address.`);
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

export function parsePool(cidr: string): Pool {
  const [addr, bits] = cidr.split('/');
  const prefix = Number(bits);
  if (addr === undefined || !/^\d{1,2}$/.test(bits ?? '') || prefix < 8 || prefix > 30)
    throw invalid(`${cidr} is not an IPv4 range between /8 and /30.`);
  const size = 2 ** (32 - prefix);
  const base = parseIpv4(addr);
  if (base % size !== 0) throw invalid(`${cidr} has host bits set; write the range's first address.`);
  return { cidr, base, size };
}

const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map(parsePool);
const LOOPBACK = parsePool('127.0.0.0/8');

function inside(pool: Pool, outer: Pool): boolean {
  return pool.base >= outer.base && pool.base + pool.size <= outer.base + outer.size;
}

/** Isolated hosts live in a private range, so nothing they do can reach an address outside this machine. */
export function isolatedPool(cidr: string): Pool {
  const pool = parsePool(cidr);
  if (!PRIVATE_RANGES.some((r) => inside(pool, r)))
    throw invalid(`isolatedPool ${cidr} must lie inside 10/8, 172.16/12 or 192.168/16.`);
  return pool;
}

/** Shared hosts listen on loopback only. The range must avoid 127.0.0.0/24, kept for the fallback 127.0.0.1:port. */
export function sharedPool(cidr: string): Pool {
  const pool = parsePool(cidr);
  if (!inside(pool, LOOPBACK)) throw invalid(`sharedPool ${cidr} must lie inside 127.0.0.0/8.`);
  if (pool.base < parseIpv4('127.0.1.0')) throw invalid(`sharedPool ${cidr} must not include 127.0.0.0/24.`);
  if (pool.size < 256) throw invalid(`sharedPool ${cidr} must be a /24 or larger.`);
  return pool;
}

export function isolatedSlots(pool: Pool): number {
  return pool.size / 4;
}

export function isolatedAddresses(pool: Pool, slot: number): IsolatedAddresses {
  if (!Number.isInteger(slot) || slot < 0 || slot >= isolatedSlots(pool))
    throw invalid(`Slot ${slot} is outside ${pool.cidr}.`);
  const network = pool.base + slot * 4;
  return { peer: formatIpv4(network + 1), host: formatIpv4(network + 2), prefix: 30 };
}

/** Shared slots skip each /24's .0 and .255, which look like network and broadcast addresses to people. */
export function sharedSlots(pool: Pool): number {
  return (pool.size / 256) * 254;
}

export function sharedAddress(pool: Pool, slot: number): string {
  if (!Number.isInteger(slot) || slot < 0 || slot >= sharedSlots(pool))
    throw invalid(`Slot ${slot} is outside ${pool.cidr}.`);
  return formatIpv4(pool.base + Math.floor(slot / 254) * 256 + 1 + (slot % 254));
}
