/**
 * How hard a password is to guess, judged offline: a list of the passwords most often found in breaches (shipped in
 * @zxcvbn-ts/language-common, about 49,000 of them, ranked by how often they were seen) refuses them outright, and
 * the zxcvbn estimator (common and English dictionaries, keyboard patterns, dates, repeats, l33t) scores the rest.
 * Nothing leaves the machine.
 */
import type * as ZxcvbnCore from '@zxcvbn-ts/core';
import type * as ZxcvbnCommon from '@zxcvbn-ts/language-common';
import type * as ZxcvbnEn from '@zxcvbn-ts/language-en';
import { idleCache, requireUncached } from '../../kernel/idle-cache.js';

/** zxcvbn's score 3: about 10^8 guesses, out of reach of an online attack and slow against a stolen argon2id hash. */
export const MIN_SCORE = 3;

interface Loaded {
  readonly estimator: ZxcvbnCore.ZxcvbnFactory;
  readonly breached: ReadonlySet<string>;
}

// Built on first use (the dictionaries take a few hundred milliseconds and about 50 MiB), not at import, and let go
// after ten idle minutes: passwords are judged at sign-up and password changes only, and a node should not carry
// the dictionaries between them.
const dictionaries = idleCache<Loaded>(() => {
  const { ZxcvbnFactory } = requireUncached<typeof ZxcvbnCore>('@zxcvbn-ts/core');
  const common = requireUncached<typeof ZxcvbnCommon>('@zxcvbn-ts/language-common');
  const en = requireUncached<typeof ZxcvbnEn>('@zxcvbn-ts/language-en');
  return {
    estimator: new ZxcvbnFactory({
      translations: en.translations,
      graphs: common.adjacencyGraphs,
      dictionary: { ...common.dictionary, ...en.dictionary },
    }),
    breached: new Set(common.dictionary['passwords-common'].map((p: string) => p.toLowerCase())),
  };
}, 10 * 60_000);

const load = async (): Promise<Loaded> => dictionaries.get();

/** True when the password (ignoring case and spaces around it) is on the breached-password list. */
export async function isBreachedPassword(password: string): Promise<boolean> {
  return (await load()).breached.has(password.trim().toLowerCase());
}

export interface Strength {
  readonly score: number;
  /** Why it is weak, in the estimator's words, when it says. */
  readonly warning: string | null;
  readonly suggestions: readonly string[];
}

/** Scores a password; `related` are the person's own details (e-mail, name), which make a password easy to guess. */
export async function passwordStrength(password: string, related: readonly string[]): Promise<Strength> {
  // Each detail whole (spaces dropped: "adalovelace"), its e-mail local part, and its words.
  const words = related
    .flatMap((r) => {
      const lower = r.toLowerCase().trim();
      return [lower.replace(/\s+/g, ''), lower.split('@')[0] ?? '', ...lower.split(/[^\p{L}\p{N}]+/u)];
    })
    .filter((w) => w.length >= 3);
  const result: ZxcvbnCore.ZxcvbnResult = (await load()).estimator.check(password, words);
  return { score: result.score, warning: result.feedback.warning, suggestions: result.feedback.suggestions };
}
