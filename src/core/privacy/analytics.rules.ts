import { isIP } from 'node:net';

/**
 * Pure rules of the analytics collector: what is kept of a user-agent string, an address, a page path, a
 * referrer and a language tag. Only the coarse facts the privacy policy names are kept; the raw strings are not.
 */

export interface UserAgentFacts {
  readonly browser: string;
  readonly version: string;
  readonly os: string;
}

// Order matters: most user agents name several engines ("Chrome ... Safari"), so the specific ones come first.
const BROWSERS: readonly [string, RegExp][] = [
  ['Bot', /bot\b|crawler|spider|slurp|headlesschrome\/.*lighthouse/i],
  ['Edge', /\bEdg(?:e|A|iOS)?\/(\d+)/],
  ['Opera', /\b(?:OPR|Opera)\/(\d+)/],
  ['Samsung Internet', /\bSamsungBrowser\/(\d+)/],
  ['Firefox', /\b(?:Firefox|FxiOS)\/(\d+)/],
  ['Chrome Headless', /\bHeadlessChrome\/(\d+)/],
  ['Chrome', /\b(?:Chrome|CriOS|Chromium)\/(\d+)/],
  ['Safari', /\bVersion\/(\d+)[.\d]* (?:Mobile\/\S+ )?Safari\//],
  ['curl', /^curl\/(\d+)/],
];

const SYSTEMS: readonly [string, RegExp][] = [
  ['Windows', /Windows NT|Win64|Windows Phone/],
  ['iOS', /iPhone|iPad|iPod/],
  ['Android', /Android/],
  ['ChromeOS', /CrOS/],
  ['macOS', /Macintosh|Mac OS X/],
  ['Linux', /Linux|X11|Ubuntu|Fedora/],
];

/** Browser family and major version, and operating system family, from a User-Agent header. */
export function parseUserAgent(ua: string | undefined): UserAgentFacts {
  const text = (ua ?? '').slice(0, 512);
  let browser = 'Other';
  let version = '';
  for (const [name, pattern] of BROWSERS) {
    const m = pattern.exec(text);
    if (m) {
      browser = name;
      version = m[1] ?? '';
      break;
    }
  }
  const os = SYSTEMS.find(([, pattern]) => pattern.test(text))?.[0] ?? 'Other';
  return { browser, version, os };
}

function expandIpv6(ip: string): number[] | undefined {
  const [head = '', tail] = ip.split('::');
  const parts = (s: string) => (s === '' ? [] : s.split(':'));
  const left = parts(head);
  const right = tail === undefined ? [] : parts(tail);
  const fill = tail === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...Array<string>(Math.max(0, fill)).fill('0'), ...right];
  if (groups.length !== 8) return undefined;
  return groups.map((g) => parseInt(g, 16));
}

/**
 * The address with its host part removed: IPv4 keeps its /24 network, IPv6 its /48 (the site prefix).
 * IPv4-mapped IPv6 addresses are treated as IPv4. Anything unparseable becomes "unknown".
 */
export function truncateIp(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const v4 = mapped ? mapped[1]! : ip;
  if (isIP(v4) === 4) return v4.replace(/\.\d+$/, '.0');
  if (isIP(ip) === 6) {
    const groups = expandIpv6(ip.split('%')[0]!);
    if (!groups) return 'unknown';
    return `${groups
      .slice(0, 3)
      .map((g) => g.toString(16))
      .join(':')}::`;
  }
  return 'unknown';
}

const CONTROL = /[\u0000-\u001f\u007f]/;

/** The path of a page or download: no query string or fragment (they can carry tokens), at most 300 characters. */
export function cleanPath(raw: string): string | undefined {
  if (typeof raw !== 'string' || !raw.startsWith('/') || raw.startsWith('//') || CONTROL.test(raw)) return undefined;
  const path = raw.split(/[?#]/)[0]!;
  return path.length <= 300 ? path : path.slice(0, 300);
}

/** A download target: a same-site path, or host and path of another site (still without query or fragment). */
export function cleanDownload(raw: string, ownHost: string): string | undefined {
  if (raw.startsWith('/')) return cleanPath(raw);
  try {
    const url = new URL(raw);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    const host = url.hostname.toLowerCase();
    return host === ownHost ? cleanPath(url.pathname) : `${host}${url.pathname}`.slice(0, 300);
  } catch {
    return undefined;
  }
}

/** The referring site (host only), or undefined for none, for Steward itself, or for anything not http(s). */
export function referrerHost(raw: string | undefined, ownHost: string): string | undefined {
  if (!raw) return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    const host = url.hostname.toLowerCase();
    return host === ownHost.toLowerCase() || host.length > 253 ? undefined : host;
  } catch {
    return undefined;
  }
}

const LANGUAGE = /^[a-z]{2,3}(?:-[a-z0-9]{2,8}){0,2}$/i;

/** A language tag (en, en-GB, zh-Hant-TW) from the page, else the first of Accept-Language, else "unknown". */
export function languageOf(fromPage: string | undefined, acceptLanguage: string | undefined): string {
  if (fromPage && LANGUAGE.test(fromPage)) return fromPage;
  const first = (acceptLanguage ?? '').split(',')[0]?.split(';')[0]?.trim();
  return first && LANGUAGE.test(first) ? first : 'unknown';
}

/** Do-Not-Track or Global Privacy Control in the request headers: the answer is no, whatever the banner said. */
export function optedOutByHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  return headers.dnt === '1' || headers['sec-gpc'] === '1';
}
