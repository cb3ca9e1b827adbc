import { invalidInput } from '../../kernel/errors.js';

/**
 * Exact money. Prices are decimals with at most six places ("0.0125" per server-hour), held as bigint millionths;
 * amounts on an invoice are whole minor units of the currency (cents), held as bigint. Every product of a price and
 * a quantity is a fraction computed in integers and rounded once, half away from zero, to the minor unit. No value
 * ever passes through a floating-point number.
 */

export const PRICE_PLACES = 6;
const MICRO = 10n ** BigInt(PRICE_PLACES);
const DECIMAL = /^(-?)(\d{1,12})(?:\.(\d{1,6}))?$/;

/** Parses a decimal ("29", "0.0125", "-3.50") into millionths; anything else is refused, naming `field`. */
export function parsePrice(text: string, field: string): bigint {
  const m = DECIMAL.exec(text.trim());
  if (!m)
    throw invalidInput(`${field} must be a decimal number with at most ${PRICE_PLACES} decimal places, e.g. 29.00.`, {
      field,
    });
  const value = BigInt(m[2]!) * MICRO + BigInt((m[3] ?? '').padEnd(PRICE_PLACES, '0'));
  return m[1] ? -value : value;
}

/** n / d rounded half away from zero (d > 0). */
export function divRound(n: bigint, d: bigint): bigint {
  if (d <= 0n) throw new RangeError('divisor must be positive');
  const negative = n < 0n;
  const a = negative ? -n : n;
  const q = a / d;
  const r = a % d;
  const rounded = r * 2n >= d ? q + 1n : q;
  return negative ? -rounded : rounded;
}

/** A price in millionths times the fraction num/den, in minor units of a currency with `exponent` places. */
export function amountOf(priceMicros: bigint, num: bigint, den: bigint, exponent: number): bigint {
  return divRound(priceMicros * num, den * 10n ** BigInt(PRICE_PLACES - exponent));
}

/** `percent` (millionths of a percent) of an amount in minor units. */
export function percentOf(minor: bigint, percentMicros: bigint): bigint {
  return divRound(minor * percentMicros, 100n * MICRO);
}

/** Minor units as a decimal string with the currency's places ("1234" → "12.34"). */
export function formatMinor(minor: bigint, exponent: number): string {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(exponent + 1, '0');
  const whole = exponent === 0 ? digits : digits.slice(0, -exponent);
  const frac = exponent === 0 ? '' : `.${digits.slice(-exponent)}`;
  return `${negative ? '-' : ''}${whole}${frac}`;
}

/** The inverse of `formatMinor`: a stored amount back to minor units. */
export function parseMinor(text: string, exponent: number): bigint {
  const micros = parsePrice(text, 'amount');
  const unit = 10n ** BigInt(PRICE_PLACES - exponent);
  if (micros % unit !== 0n) throw invalidInput(`The amount ${text} has more than ${exponent} decimal places.`);
  return micros / unit;
}

/** Millionths as a plain decimal without trailing zeros beyond two places ("0.0125", "29.00"). */
export function formatPrice(micros: bigint): string {
  const full = formatMinor(micros, PRICE_PLACES);
  const [whole, frac = ''] = full.split('.');
  const trimmed = frac.replace(/0+$/, '').padEnd(2, '0');
  return `${whole}.${trimmed}`;
}

/** Decimal places of an ISO 4217 currency (EUR 2, JPY 0); an unknown code is refused. */
export function currencyExponent(code: string): number {
  if (!/^[A-Z]{3}$/.test(code) || !Intl.supportedValuesOf('currency').includes(code))
    throw invalidInput(`${code} is not an ISO 4217 currency code (such as EUR, GBP, USD).`, { field: 'currency' });
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2
  );
}

/** "€1,234.56" for people (the invoice, mails); the digits come from the exact string, never from a float. */
export function displayMoney(minor: bigint, currency: string): string {
  const exponent = currencyExponent(currency);
  const text = formatMinor(minor < 0n ? -minor : minor, exponent);
  const [whole, frac] = text.split('.');
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const symbol =
    new Intl.NumberFormat('en', { style: 'currency', currency, currencyDisplay: 'narrowSymbol' })
      .formatToParts(0)
      .find((p) => p.type === 'currency')?.value ?? currency;
  return `${minor < 0n ? '-' : ''}${symbol}${grouped}${frac ? `.${frac}` : ''}`;
}
