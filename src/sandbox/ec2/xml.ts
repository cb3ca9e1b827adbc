import { randomUUID } from 'node:crypto';

export const EC2_NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/';
export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
export const escapeXml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

type Scalar = string | number | boolean | Date | undefined;

/** `<name>value</name>`; nothing when the value is undefined (EC2 leaves out what it does not know). */
export function el(name: string, value: Scalar): string {
  if (value === undefined) return '';
  const text = value instanceof Date ? value.toISOString() : String(value);
  return `<${name}>${escapeXml(text)}</${name}>`;
}

/** `<name>` around already-built children; `<name/>` when there are none. */
export function wrap(name: string, inner: string): string {
  return inner === '' ? `<${name}/>` : `<${name}>${inner}</${name}>`;
}

/** An EC2 set: `<name><item>…</item>…</name>`. */
export function items<T>(name: string, list: readonly T[], render: (item: T) => string): string {
  return wrap(name, list.map((i) => `<item>${render(i)}</item>`).join(''));
}

export function tagSet(tags: ReadonlyMap<string, string>): string {
  return items('tagSet', [...tags], ([k, v]) => el('key', k) + el('value', v));
}

export const newRequestId = (): string => randomUUID();

export function ec2Response(action: string, requestId: string, inner: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_NAMESPACE}">${el('requestId', requestId)}${inner}</${action}Response>`;
}

/** EC2's error body (note `RequestID`, spelt differently from the success `requestId`). */
export function ec2Error(code: string, message: string, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>${el('Code', code)}${el('Message', message)}</Error></Errors>${el('RequestID', requestId)}</Response>`;
}

export function stsResponse(action: string, requestId: string, result: string): string {
  return `<${action}Response xmlns="${STS_NAMESPACE}">\n  <${action}Result>${result}</${action}Result>\n  <ResponseMetadata>${el('RequestId', requestId)}</ResponseMetadata>\n</${action}Response>\n`;
}

export function stsError(code: string, message: string, requestId: string, status: number): string {
  const type = status >= 500 ? 'Receiver' : 'Sender';
  return `<ErrorResponse xmlns="${STS_NAMESPACE}">\n  <Error>${el('Type', type)}${el('Code', code)}${el('Message', message)}</Error>\n  ${el('RequestId', requestId)}\n</ErrorResponse>\n`;
}
