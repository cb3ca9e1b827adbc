import { describe, expect, it } from 'vitest';
import { isAppError } from '../../kernel/errors.js';
import { isBreachedPassword } from './password-strength.js';
import { checkPasswordPolicy } from './users.rules.js';

const refusal = async (
  password: string,
  related: string[] = ['ada@example.com', 'Ada Lovelace'],
): Promise<string | null> => {
  try {
    await checkPasswordPolicy(password, related);
    return null;
  } catch (err) {
    if (!isAppError(err)) throw err;
    expect(err.code).toBe('STEWARD_INVALID_INPUT');
    expect(err.details).toEqual({ field: 'password' });
    return err.message;
  }
};

describe('password policy', () => {
  it('refuses the guessable passwords a review got through, saying why and what would do', async () => {
    for (const weak of ['Password1!', 'qwerty12345', 'letmein1234', 'P@ssw0rd2024', 'iloveyou2024', 'Welcome123!']) {
      const message = await refusal(weak);
      expect(message, weak).toMatch(/too easy to guess|most often found in data breaches/);
      expect(message, weak).toMatch(/unrelated words/);
    }
  });

  it('refuses breached passwords from the shipped list outright', async () => {
    expect(await isBreachedPassword('trustno1')).toBe(true);
    expect(await isBreachedPassword('  Sunshine ')).toBe(true);
    expect(await isBreachedPassword('copper lantern orbit meadow')).toBe(false);
    expect(await refusal('1qaz2wsx3edc')).toMatch(/most often found in data breaches/);
  });

  it('refuses passwords made of the person’s own details, and too short or too long ones', async () => {
    expect(await refusal('ada@example.com')).toMatch(/e-mail address or name/);
    expect(await refusal('AdaLovelace1815', ['ada@example.com', 'Ada Lovelace'])).toMatch(/too easy to guess/);
    expect(await refusal('short')).toMatch(/at least 10/);
    expect(await refusal('x'.repeat(257))).toMatch(/at most 256/);
  });

  it('accepts passphrases and long random strings', async () => {
    for (const strong of ['copper lantern orbit meadow', 'orbital mechanics 1962', 'k3J#9vQ!x2Lp7wZr'])
      expect(await refusal(strong), strong).toBeNull();
  });
});
