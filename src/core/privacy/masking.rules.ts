import type { StaffRole } from '../actor.js';
import { PERSONAL_FIELDS, ROLE_FIELDS, type PersonalField } from './privacy.types.js';

/**
 * Masking of personal fields for staff who do not need them. A masked value keeps just enough to tell two
 * people apart in a list (first letter and domain of an address, last two digits of a phone), never enough to
 * contact anyone.
 */

const DOT = '•';

export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return DOT.repeat(6);
  return `${email[0]}${DOT.repeat(3)}@${email.slice(at + 1)}`;
}

export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return `${DOT.repeat(Math.max(4, digits.length - 2))}${digits.slice(-2)}`;
}

export function maskName(name: string): string {
  return (
    name
      .split(/\s+/)
      .filter(Boolean)
      .map((part) => `${part[0]}.`)
      .join(' ') || DOT.repeat(3)
  );
}

/** The fields a member of these roles sees in clear (the union over their roles). */
export function visibleFields(roles: readonly StaffRole[]): Set<PersonalField> {
  return new Set(roles.flatMap((r) => ROLE_FIELDS[r] ?? []));
}

export interface PersonRecord {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly phone: string | null;
}

export interface MaskedPerson extends PersonRecord {
  /** Fields shown masked; revealing one takes a reason and is audited. */
  readonly masked: PersonalField[];
}

export function maskFor(roles: readonly StaffRole[], person: PersonRecord): MaskedPerson {
  const visible = visibleFields(roles);
  const masked = PERSONAL_FIELDS.filter((f) => !visible.has(f) && person[f] !== null);
  return {
    id: person.id,
    name: visible.has('name') ? person.name : maskName(person.name),
    email: visible.has('email') ? person.email : maskEmail(person.email),
    phone: person.phone === null ? null : visible.has('phone') ? person.phone : maskPhone(person.phone),
    masked,
  };
}

/** A postal address masked: the number of lines and the last one's first letters (town or postcode), no more. */
export function maskAddress(lines: readonly string[]): string[] {
  return lines.map((line, i) => (i === lines.length - 1 ? `${line.slice(0, 2)}${DOT.repeat(4)}` : DOT.repeat(6)));
}

/** A tax or VAT number masked to its country prefix and last two characters. */
export function maskTaxId(taxId: string): string {
  return `${taxId.slice(0, 2)}${DOT.repeat(Math.max(3, taxId.length - 4))}${taxId.slice(-2)}`;
}
