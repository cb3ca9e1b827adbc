import { describe, expect, it } from 'vitest';
import { maskEmail, maskFor, maskName, maskPhone } from './masking.rules.js';

describe('need-to-know masking', () => {
  const ada = { id: 'usr_1', name: 'Ada Lovelace', email: 'ada@example.com', phone: '+44 20 7946 0123' };

  it('masks values so they identify no one', () => {
    expect(maskEmail('ada@example.com')).toBe('a•••@example.com');
    expect(maskEmail('broken')).toBe('••••••');
    expect(maskPhone('+44 20 7946 0123')).toBe('••••••••••23');
    expect(maskName('Ada King Lovelace')).toBe('A. K. L.');
  });

  it('support sees names and addresses, not phones', () => {
    const v = maskFor(['support'], ada);
    expect(v).toMatchObject({ name: 'Ada Lovelace', email: 'ada@example.com', masked: ['phone'] });
    expect(v.phone).not.toContain('7946');
  });

  it('no role sees phones in clear, whatever its combination', () => {
    for (const roles of [
      ['admin'],
      ['security'],
      ['marketing'],
      ['admin', 'security', 'support', 'marketing'],
    ] as const) {
      expect(maskFor(roles, ada).phone).toBe('••••••••••23');
    }
  });

  it('a person without a phone has nothing masked', () => {
    expect(maskFor(['support'], { ...ada, phone: null }).masked).toEqual([]);
  });
});
