import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** What a request claims about its signature, before we know whether it is right. */
export interface SignatureClaim {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly amzDate: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  readonly presigned: boolean;
  readonly expiresSeconds: number | undefined;
  readonly sessionToken: string | undefined;
}

export interface SignedRequest {
  readonly method: string;
  /** Path as received (still percent-encoded). */
  readonly rawPath: string;
  /** Query string as received, without `?`. */
  readonly rawQuery: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export type ClaimResult =
  | { readonly kind: 'missing' }
  | { readonly kind: 'malformed'; readonly why: string }
  | { readonly kind: 'claim'; readonly claim: SignatureClaim };

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters. */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function queryPairs(rawQuery: string): [string, string][] {
  if (rawQuery === '') return [];
  return rawQuery
    .split('&')
    .filter((p) => p !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq === -1 ? [safeDecode(pair), ''] : [safeDecode(pair.slice(0, eq)), safeDecode(pair.slice(eq + 1))];
    });
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** Reads the signature from the Authorization header or the presigned query parameters. */
export function readClaim(req: SignedRequest): ClaimResult {
  const auth = header(req.headers, 'authorization');
  const query = new Map(queryPairs(req.rawQuery));
  let credential: string | undefined;
  let signedHeaders: string | undefined;
  let signature: string | undefined;
  let amzDate: string | undefined;
  let presigned = false;
  let expires: number | undefined;
  if (auth !== undefined) {
    const m = /^AWS4-HMAC-SHA256\s+(.*)$/s.exec(auth.trim());
    if (m?.[1] === undefined)
      return { kind: 'malformed', why: 'Authorization header requires AWS4-HMAC-SHA256 signing' };
    const parts = new Map(
      m[1].split(',').map((p) => {
        const eq = p.indexOf('=');
        return [p.slice(0, eq).trim(), p.slice(eq + 1).trim()] as const;
      }),
    );
    credential = parts.get('Credential');
    signedHeaders = parts.get('SignedHeaders');
    signature = parts.get('Signature');
    amzDate = header(req.headers, 'x-amz-date');
  } else if (query.has('X-Amz-Signature')) {
    presigned = true;
    if (query.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256')
      return { kind: 'malformed', why: 'X-Amz-Algorithm must be AWS4-HMAC-SHA256' };
    credential = query.get('X-Amz-Credential');
    signedHeaders = query.get('X-Amz-SignedHeaders');
    signature = query.get('X-Amz-Signature');
    amzDate = query.get('X-Amz-Date');
    expires = Number(query.get('X-Amz-Expires') ?? NaN);
  } else {
    return { kind: 'missing' };
  }
  if (credential === undefined || signedHeaders === undefined || signature === undefined) {
    return { kind: 'malformed', why: 'Authorization must contain Credential, SignedHeaders and Signature' };
  }
  const scope = credential.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request')
    return { kind: 'malformed', why: 'Credential must have the form <key>/<date>/<region>/<service>/aws4_request' };
  if (amzDate === undefined || !/^\d{8}T\d{6}Z$/.test(amzDate))
    return { kind: 'malformed', why: 'X-Amz-Date is missing or not in yyyyMMddTHHmmssZ form' };
  const [accessKeyId = '', date = '', region = '', service = ''] = scope;
  if (date !== amzDate.slice(0, 8)) return { kind: 'malformed', why: 'the credential date does not match X-Amz-Date' };
  const headers = signedHeaders.split(';');
  if (!headers.includes('host')) return { kind: 'malformed', why: 'the host header must be signed' };
  return {
    kind: 'claim',
    claim: {
      accessKeyId,
      date,
      region,
      service,
      amzDate,
      signedHeaders: headers,
      signature,
      presigned,
      expiresSeconds: Number.isFinite(expires) ? expires : undefined,
      sessionToken: header(req.headers, 'x-amz-security-token') ?? query.get('X-Amz-Security-Token'),
    },
  };
}

/** The time a claim was signed at. */
export function signedAt(claim: SignatureClaim): number {
  const d = claim.amzDate;
  return Date.UTC(
    +d.slice(0, 4),
    +d.slice(4, 6) - 1,
    +d.slice(6, 8),
    +d.slice(9, 11),
    +d.slice(11, 13),
    +d.slice(13, 15),
  );
}

function canonicalRequest(req: SignedRequest, claim: SignatureClaim, payloadHash: string): string {
  // Non-S3 services sign the path encoded once more than it travelled.
  const path =
    req.rawPath === ''
      ? '/'
      : req.rawPath
          .split('/')
          .map((s) => uriEncode(uriEncode(safeDecode(s))))
          .join('/');
  const query = queryPairs(req.rawQuery)
    .filter(([k]) => !(claim.presigned && k === 'X-Amz-Signature'))
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const headers = claim.signedHeaders
    .map((name) => `${name}:${(header(req.headers, name) ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  return [req.method, path, query, headers, claim.signedHeaders.join(';'), payloadHash].join('\n');
}

/** Recomputes the signature with `secretAccessKey` and compares in constant time. */
export function verifySignature(req: SignedRequest, claim: SignatureClaim, secretAccessKey: string): boolean {
  const declared = header(req.headers, 'x-amz-content-sha256');
  const candidates =
    declared !== undefined ? [declared] : claim.presigned ? [sha256(req.body), 'UNSIGNED-PAYLOAD'] : [sha256(req.body)];
  const scope = `${claim.date}/${claim.region}/${claim.service}/aws4_request`;
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, claim.date), claim.region), claim.service), 'aws4_request');
  const given = Buffer.from(claim.signature, 'utf8');
  return candidates.some((payloadHash) => {
    const toSign = ['AWS4-HMAC-SHA256', claim.amzDate, scope, sha256(canonicalRequest(req, claim, payloadHash))].join(
      '\n',
    );
    const expected = Buffer.from(createHmac('sha256', key).update(toSign).digest('hex'), 'utf8');
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}
