/**
 * X.509 certificates from PEM text (only CERTIFICATE blocks reach us; the script strips anything else).
 * Parsed with Node's own X509Certificate, so the server needs no openssl.
 */
import { X509Certificate } from 'node:crypto';

export interface ParsedCertificate {
  readonly subject: string;
  readonly issuer: string;
  readonly sans: string[];
  readonly serial: string;
  readonly fingerprint256: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly selfSigned: boolean;
  readonly isCa: boolean;
}

const PEM = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const DAY_MS = 86_400_000;

/** `CN=example.com\nO=Org` → `CN=example.com, O=Org`. */
function dn(text: string): string {
  return text
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean)
    .join(', ');
}

/** `DNS:a.example, DNS:b.example, IP Address:10.0.0.1` → names, in order. */
function sans(text: string | undefined): string[] {
  if (!text) return [];
  return text
    .split(/,\s*/)
    .map((s) => s.replace(/^(DNS|IP Address|email|URI):/, '').trim())
    .filter(Boolean);
}

function iso(date: string): string {
  const d = new Date(date);
  return Number.isNaN(d.getTime()) ? date : d.toISOString();
}

/** Every certificate in the text, in file order; blocks that do not parse are skipped. */
export function parsePemCertificates(content: string | null): ParsedCertificate[] {
  const out: ParsedCertificate[] = [];
  for (const pem of content?.match(PEM) ?? []) {
    try {
      const c = new X509Certificate(pem);
      out.push({
        subject: dn(c.subject),
        issuer: dn(c.issuer),
        sans: sans(c.subjectAltName),
        serial: c.serialNumber.toUpperCase(),
        fingerprint256: c.fingerprint256,
        notBefore: iso(c.validFrom),
        notAfter: iso(c.validTo),
        selfSigned: c.checkIssued(c),
        isCa: c.ca,
      });
    } catch {
      // Not a certificate after all (a truncated block, a corrupted file): nothing to report for it.
    }
  }
  return out;
}

/** Whole days from `now` until `notAfter` (rounded down; negative after expiry). */
export function daysLeft(notAfter: string, now: Date): number {
  const end = Date.parse(notAfter);
  if (Number.isNaN(end)) return 0;
  return Math.floor((end - now.getTime()) / DAY_MS);
}
