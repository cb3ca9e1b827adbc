import { timingSafeEqual } from 'node:crypto';
import { AppError } from '../../kernel/errors.js';
import type { Vault } from '../vault/vault.service.js';
import { CONSENT_PURPOSES, type ConsentPurpose } from './privacy.types.js';

/**
 * Unsubscribe tokens: `<payload>.<mac>`, payload = base64url("u1|<blind index of the address>|<purpose>"), mac = a
 * keyed hash of the payload under the vault's HMAC key with its own label. They name no one in clear, need no
 * session (mail clients post them with no cookies, RFC 8058), and only ever unsubscribe, so they do not expire.
 */

const LABEL = 'privacy:unsubscribe:v1|';

export interface UnsubscribeClaim {
  readonly toIndex: string;
  readonly purpose: ConsentPurpose;
}

export function unsubscribeToken(vault: Pick<Vault, 'auditHash'>, claim: UnsubscribeClaim): string {
  const payload = Buffer.from(`u1|${claim.toIndex}|${claim.purpose}`).toString('base64url');
  return `${payload}.${vault.auditHash(LABEL + payload)}`;
}

const invalid = () =>
  new AppError(
    'STEWARD_UNSUBSCRIBE_INVALID',
    'This unsubscribe link is damaged or incomplete; open the link from the e-mail exactly as it is.',
  );

export function readUnsubscribeToken(vault: Pick<Vault, 'auditHash'>, token: string): UnsubscribeClaim {
  const match = /^([A-Za-z0-9_-]{8,200})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) throw invalid();
  const [, payload, mac] = match as unknown as [string, string, string];
  const want = Buffer.from(vault.auditHash(LABEL + payload));
  const got = Buffer.from(mac);
  if (want.length !== got.length || !timingSafeEqual(want, got)) throw invalid();
  const [version, toIndex, purpose] = Buffer.from(payload, 'base64url').toString('utf8').split('|');
  if (version !== 'u1' || !toIndex || !(CONSENT_PURPOSES as readonly string[]).includes(purpose ?? '')) throw invalid();
  return { toIndex, purpose: purpose as ConsentPurpose };
}

/** The headers every promotional mail carries (RFC 2369 and the one-click POST of RFC 8058). */
export function unsubscribeHeaders(url: string): Record<string, string> {
  return { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}
