import { describe, expect, it } from 'vitest';
import { findLeaks } from './canary.js';
import { newClientKey } from './fleet-ssh.js';

describe('leak finder', () => {
  const key = newClientKey().privateKey;

  it('finds a whole key, an encoded key and a slice of one', () => {
    expect(findLeaks(`before ${key} after`, { key }, 'page')).not.toEqual([]);
    expect(findLeaks(Buffer.from(key).toString('base64'), { key }, 'page')).not.toEqual([]);
    // Past the format's opening (magic, cipher, key type), where the key's own bytes are.
    const body = key.split('\n').slice(1, -2).join('');
    expect(findLeaks(`…${body.slice(120, 160)}…`, { key }, 'page')).not.toEqual([]);
  });

  it('does not take what every key of the kind shares for a leak (another key, a certificate)', () => {
    const other = newClientKey('another-laptop');
    expect(findLeaks(`${other.privateKey}\n${other.publicKey}`, { key }, 'page')).toEqual([]);
  });
});
