import { describe, expect, it } from 'vitest';
import {
  cleanDownload,
  cleanPath,
  languageOf,
  optedOutByHeaders,
  parseUserAgent,
  referrerHost,
  truncateIp,
} from './analytics.rules.js';

describe('user-agent parsing', () => {
  const cases: [string, string, string, string][] = [
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
      'Chrome',
      '124',
      'Windows',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51',
      'Edge',
      '124',
      'Windows',
    ],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0', 'Firefox', '125', 'Linux'],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15',
      'Safari',
      '17',
      'macOS',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
      'Safari',
      '17',
      'iOS',
    ],
    [
      'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/123.0.6312.52 Mobile/15E148 Safari/604.1',
      'Chrome',
      '123',
      'iOS',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36',
      'Chrome',
      '124',
      'Android',
    ],
    [
      'Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36',
      'Samsung Internet',
      '24',
      'Android',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36 OPR/109.0.0.0',
      'Opera',
      '109',
      'Windows',
    ],
    [
      'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
      'Chrome',
      '120',
      'ChromeOS',
    ],
    [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.6778.85 Safari/537.36',
      'Chrome Headless',
      '131',
      'Linux',
    ],
    ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'Bot', '', 'Other'],
    ['curl/8.5.0', 'curl', '8', 'Other'],
  ];
  for (const [ua, browser, version, os] of cases) {
    it(`${browser} ${version} on ${os}`, () => expect(parseUserAgent(ua)).toEqual({ browser, version, os }));
  }
  it('copes with nothing and with junk', () => {
    expect(parseUserAgent(undefined)).toEqual({ browser: 'Other', version: '', os: 'Other' });
    expect(parseUserAgent('x'.repeat(10_000))).toEqual({ browser: 'Other', version: '', os: 'Other' });
  });
});

describe('address truncation', () => {
  it('keeps the /24 of IPv4 and the /48 of IPv6', () => {
    expect(truncateIp('203.0.113.77')).toBe('203.0.113.0');
    expect(truncateIp('::ffff:198.51.100.9')).toBe('198.51.100.0');
    expect(truncateIp('2001:db8:85a3:8d3:1319:8a2e:370:7348')).toBe('2001:db8:85a3::');
    expect(truncateIp('2001:db8::1')).toBe('2001:db8:0::');
    expect(truncateIp('::1')).toBe('0:0:0::');
    expect(truncateIp('not an address')).toBe('unknown');
  });
});

describe('paths, referrers, languages and opt-out signals', () => {
  it('drops query strings and fragments, refuses what is not a path', () => {
    expect(cleanPath('/orgs/x/servers?token=secret#frag')).toBe('/orgs/x/servers');
    expect(cleanPath('https://evil.example/')).toBeUndefined();
    expect(cleanPath('//evil.example/')).toBeUndefined();
    expect(cleanPath('/a\nb')).toBeUndefined();
    expect(cleanPath(`/${'a'.repeat(500)}`)).toHaveLength(300);
    expect(cleanDownload('https://files.example/report.pdf?sig=abc', 'steward.example')).toBe(
      'files.example/report.pdf',
    );
    expect(cleanDownload('https://steward.example/docs/guide.pdf', 'steward.example')).toBe('/docs/guide.pdf');
    expect(cleanDownload('javascript:alert(1)', 'steward.example')).toBeUndefined();
  });
  it('keeps only the referring host, never Steward itself', () => {
    expect(referrerHost('https://News.Example.com/article?id=1', 'steward.example')).toBe('news.example.com');
    expect(referrerHost('https://steward.example/other', 'steward.example')).toBeUndefined();
    expect(referrerHost('android-app://com.example', 'steward.example')).toBeUndefined();
    expect(referrerHost('', 'steward.example')).toBeUndefined();
  });
  it('takes a valid language tag from the page, else Accept-Language', () => {
    expect(languageOf('en-GB', 'fr')).toBe('en-GB');
    expect(languageOf('<script>', 'fr-CA,fr;q=0.8')).toBe('fr-CA');
    expect(languageOf(undefined, undefined)).toBe('unknown');
  });
  it('reads DNT and Sec-GPC', () => {
    expect(optedOutByHeaders({ dnt: '1' })).toBe(true);
    expect(optedOutByHeaders({ 'sec-gpc': '1' })).toBe(true);
    expect(optedOutByHeaders({ dnt: '0' })).toBe(false);
  });
});
