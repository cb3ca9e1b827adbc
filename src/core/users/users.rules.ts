import { invalidInput } from '../../kernel/errors.js';
import { idleCache, requireUncached } from '../../kernel/idle-cache.js';
import { isBreachedPassword, MIN_SCORE, passwordStrength } from './password-strength.js';

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;

const ADVICE =
  'Four or more unrelated words (“copper lantern orbit meadow”) make a strong password that is easy to remember.';

const weak = (message: string) => invalidInput(`${message} ${ADVICE}`, { field: 'password' });

/**
 * Throws with a message that says why the password is refused and what would do; passes silently otherwise.
 * `related` are the person's own details (e-mail address, name): a password made of them is easy to guess.
 */
export async function checkPasswordPolicy(password: string, related: readonly string[]): Promise<void> {
  if (password.length < PASSWORD_MIN) throw weak(`The password must be at least ${PASSWORD_MIN} characters long.`);
  if (password.length > PASSWORD_MAX)
    throw invalidInput(`The password must be at most ${PASSWORD_MAX} characters long.`, { field: 'password' });
  if (related.some((r) => r.trim() !== '' && password.trim().toLowerCase() === r.trim().toLowerCase()))
    throw weak('The password must not be your e-mail address or name.');
  if (await isBreachedPassword(password))
    throw weak('This password is on the list of passwords most often found in data breaches; attackers try it first.');
  const strength = await passwordStrength(password, related);
  if (strength.score < MIN_SCORE) {
    const why = strength.warning ? `${strength.warning.replace(/\.?$/, '.')} ` : '';
    const hints = strength.suggestions.length > 0 ? ` ${strength.suggestions.join(' ')}` : '';
    throw weak(`This password is too easy to guess. ${why}${hints}`.replace(/\s+/g, ' ').trim());
  }
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

// The list (about 120,000 domains, some 20 MiB held) is read on the first sign-up, not at import, and let go after ten
// idle minutes: sign-ups are rare next to everything else a node does.
const disposable = idleCache(
  () => new Set<string>(requireUncached<string[]>('disposable-email-domains/index.json')),
  10 * 60_000,
);

/** Whether a mail domain, or a domain it is under, is a disposable (throwaway) mail service. */
export async function isDisposableDomain(domain: string): Promise<boolean> {
  const known = disposable.get();
  const labels = domain.toLowerCase().replace(/\.$/, '').split('.');
  for (let i = 0; i < labels.length - 1; i++) if (known.has(labels.slice(i).join('.'))) return true;
  return false;
}
