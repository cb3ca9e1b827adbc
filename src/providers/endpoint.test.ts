import { describe, expect, it } from 'vitest';
import { checkEndpoint, isLoopbackHost } from './endpoint.js';
import { InsecureEndpointError } from './errors.js';

describe('endpoint policy', () => {
  it.each([
    'https://ec2.eu-west-1.amazonaws.com/',
    'https://api.example.com/elastic/',
    'http://127.0.0.1:8080/',
    'http://127.9.9.9/',
    'http://localhost:1234/',
    'http://[::1]:9000/',
  ])('allows %s', (url) => {
    expect(checkEndpoint(url, 'ec2').toString()).toBe(new URL(url).toString());
  });

  it.each([
    'http://ec2.amazonaws.com/',
    'http://10.1.2.3/',
    'http://127.0.0.1.nip.io/',
    'http://localhost.example.com/',
    'http://[::ffff:127.0.0.1]/',
    'ftp://127.0.0.1/',
    'not a url',
    'https://user:pass@example.com/',
  ])('refuses %s', (url) => {
    expect(() => checkEndpoint(url, 'elastichosts')).toThrow(InsecureEndpointError);
  });

  it('normalises obfuscated loopback numbers the way the URL parser does', () => {
    expect(checkEndpoint('http://0x7f.1/', 'ec2').hostname).toBe('127.0.0.1');
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
  });

  it('never echoes user info from a refused URL', () => {
    try {
      checkEndpoint('http://AKIA:topsecret@example.com/', 'ec2');
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).not.toContain('topsecret');
    }
  });
});
