import { describe, expect, it } from 'vitest';
import { isAppError } from '../../kernel/errors.js';
import { checkAccountEndpoint } from './endpoint-policy.js';

const codeOf = (url: string, allowLoopback = false): string => {
  try {
    checkAccountEndpoint(url, 'ec2', allowLoopback);
    return 'allowed';
  } catch (err) {
    return isAppError(err) ? err.code : 'thrown';
  }
};

describe('where customers’ credentials may be sent', () => {
  it('allows public https endpoints', () => {
    for (const url of [
      'https://ec2.eu-west-1.amazonaws.com/',
      'https://api.example.net:8443/base/',
      'https://8.8.4.4/',
      'https://[2606:4700::1111]/',
    ])
      expect(codeOf(url), url).toBe('allowed');
  });

  it('refuses plain http anywhere but loopback, and user info', () => {
    for (const url of [
      'http://ec2.amazonaws.com/',
      'http://203.0.113.7/',
      'ftp://example.com/',
      'https://a:b@example.com/',
      'not a url',
    ])
      expect(codeOf(url), url).toBe('STEWARD_INSECURE_ENDPOINT');
  });

  it('refuses private, link-local, metadata and reserved addresses in every spelling', () => {
    const urls = [
      'https://10.1.2.3/',
      'https://172.16.0.1/',
      'https://192.168.1.1/',
      'https://169.254.169.254/',
      'https://100.64.0.1/',
      'https://0.0.0.0/',
      'https://2852039166/',
      'https://0xa9fea9fe/',
      'https://0251.0376.0251.0376/',
      'https://[fd00:ec2::254]/',
      'https://[fe80::1]/',
      'https://[::]/',
      'https://[::ffff:10.0.0.1]/',
      'https://[::ffff:a9fe:a9fe]/',
      'https://[64:ff9b::a9fe:a9fe]/',
      'https://224.0.0.1/',
      // Documentation and benchmarking ranges: on some machines (this one) they are a real local network.
      'https://192.0.2.2/',
      'https://203.0.113.7/',
      'https://198.18.0.1/',
      'https://[2001:db8::1]/',
    ];
    for (const url of urls) expect(codeOf(url), url).toBe('STEWARD_ENDPOINT_NOT_ALLOWED');
  });

  it('allows this machine only when sandbox endpoints are on', () => {
    for (const url of [
      'http://127.0.0.1:4566/',
      'http://localhost:4566/',
      'http://[::1]:4566/',
      'http://2130706433:80/',
      'https://sandbox.localhost/',
    ]) {
      expect(codeOf(url, false), url).toBe('STEWARD_ENDPOINT_NOT_ALLOWED');
      expect(codeOf(url, true), url).toBe('allowed');
    }
  });
});
