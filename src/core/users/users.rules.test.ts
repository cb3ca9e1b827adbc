import { describe, expect, it } from 'vitest';
import { isAppError } from '../../kernel/errors.js';
import { isBreachedPassword } from './password-strength.js';
import { checkPasswordPolicy } from './users.rules.js';

const refusal = (password: string, related: string[] = ['ada@example.com', 'Ada Lovelace']): string | null => {
  try {
    checkPasswordPolicy(password, related);
    return null;
  } catch (err) {
    if (!isAppError(err)) throw err;
    expect(err.code).toBe('STEWARD_INVALID_INPUT');
    expect(err.details).toEqual({ field: 'password' });
    return err.message;
  }
};

describe('password policy', () => {
  it('refuses the guessable passwords a review got through, saying why and what would do', () => {
    for (const weak of ['Password1!', 'qwerty12345', 'letmein1234', 'P@ssw0rd2024', 'iloveyou2024', 'Welcome123!']) {
      const message = refusal(weak);
      expect(message, weak).toMatch(/too easy to guess|most often found in data breaches/);
      expect(message, weak).toMatch(/unrelated words/);
    }
  });

  it('refuses breached passwords from the shipped list outright', () => {
    expect(isBreachedPassword('trustno1')).toBe(true);
    expect(isBreachedPassword('  Sunshine ')).toBe(true);
    expect(isBreachedPassword('copper lantern orbit meadow')).toBe(false);
    expect(refusal('1qaz2wsx3edc')).toMatch(/most often found in data breaches/);
  });

  it('refuses passwords made of the person’s own details, and too short or too long ones', () => {
    expect(refusal('ada@example.com')).toMatch(/e-mail address or name/);
    expect(refusal('AdaLovelace1815', ['ada@example.com', 'Ada Lovelace'])).toMatch(/too easy to guess/);
    expect(refusal('short')).toMatch(/at least 10/);
    expect(refusal('x'.repeat(257))).toMatch(/at most 256/);
  });

  it('accepts passphrases and long random strings', () => {
    for (const strong of ['copper lantern orbit meadow', 'orbital mechanics 1962', 'k3J#9vQ!x2Lp7wZr'])
      expect(refusal(strong), strong).toBeNull();
  });
});
