import { describe, expect, it } from 'vitest';
import { findLeaks } from './canary.js';
import { newClientKey } from './fleet-ssh.js';

describe('leak finder', () => {
  const pair = newClientKey();
  const key = pair.privateKey;

  it('finds a whole key, an encoded key and a slice of one', () => {
    expect(findLeaks(`before ${key} after`, { key }, 'page')).not.toEqual([]);
    expect(findLeaks(Buffer.from(key).toString('base64'), { key }, 'page')).not.toEqual([]);
    // The seed of an unencrypted ed25519 key starts 159 bytes into its body: characters 212 to 255.
    const body = key.split('\n').slice(1, -2).join('');
    expect(findLeaks(`…${body.slice(210, 250)}…`, { key }, 'page')).not.toEqual([]);
    // The public key in it is no secret: its authorized_keys line is not a leak.
    expect(findLeaks(pair.publicKey, { key }, 'page')).toEqual([]);
  });

  it('does not take what every key of the kind shares for a leak (another key, a certificate)', () => {
    const other = newClientKey('another-laptop');
    expect(findLeaks(`${other.privateKey}\n${other.publicKey}`, { key }, 'page')).toEqual([]);
  });
});
