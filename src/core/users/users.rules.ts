import { invalidInput } from '../../kernel/errors.js';

/** A short list of the passwords people choose most; refused outright. */
const COMMON = new Set([
  'password',
  'password1',
  'password12',
  'password123',
  'password1234',
  '123456789',
  '1234567890',
  '12345678910',
  'qwertyuiop',
  'qwerty1234',
  '1q2w3e4r5t',
  'iloveyou12',
  'letmein123',
  'welcome123',
  'administrator',
  'changeme123',
  'passw0rd123',
  'trustno1234',
  'football123',
  'baseball123',
  'sunshine123',
  'princess123',
  'superman123',
  'abcdefghij',
  'abc1234567',
  '0987654321',
  '1111111111',
  'aaaaaaaaaa',
  'steward123',
  'stewardsteward',
]);

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;

/** Throws with a message saying what to fix; passes silently otherwise. */
export function checkPasswordPolicy(password: string, email: string): void {
  if (password.length < PASSWORD_MIN)
    throw invalidInput(`The password must be at least ${PASSWORD_MIN} characters long.`, { field: 'password' });
  if (password.length > PASSWORD_MAX)
    throw invalidInput(`The password must be at most ${PASSWORD_MAX} characters long.`, { field: 'password' });
  const lower = password.toLowerCase();
  if (COMMON.has(lower))
    throw invalidInput('This password is among the most common ones; choose another.', { field: 'password' });
  if (lower === email.trim().toLowerCase())
    throw invalidInput('The password must not be your e-mail address.', { field: 'password' });
  if (/^(.)\1+$/.test(password))
    throw invalidInput('The password must not be one character repeated.', { field: 'password' });
}

/** A session is over when idle too long or past its absolute end. */
export function sessionExpired(
  s: { last_seen_at: string; expires_at: string; revoked_at: string | null },
  nowMs: number,
  idleMs: number,
): boolean {
  if (s.revoked_at !== null) return true;
  if (Date.parse(s.expires_at) <= nowMs) return true;
  return Date.parse(s.last_seen_at) + idleMs <= nowMs;
}

/** How often a session's last-seen time is written (so every request does not write). */
export const TOUCH_INTERVAL_MS = 60_000;
