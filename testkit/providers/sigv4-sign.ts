import { createHash, createHmac } from 'node:crypto';

const enc = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const hex = (s: string): string => createHash('sha256').update(s).digest('hex');
const hmac = (k: Buffer | string, d: string): Buffer => createHmac('sha256', k).update(d).digest();

export interface SigningInput {
  readonly url: string;
  readonly params: Record<string, string>;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  readonly service: string;
  readonly date?: Date;
  /** Sign in the query string (presigned URL) instead of the Authorization header. */
  readonly presign?: boolean;
}

/**
 * A GET request signed with SigV4 the way older clients (libcloud) send EC2 calls: parameters in the query
 * string. Written for tests, separately from the sandbox's verifier.
 */
export function signedGet(input: SigningInput): { url: string; headers: Record<string, string> } {
  const date = input.date ?? new Date();
  const amzDate = date.toISOString().replace(/[-:]|\.\d{3}/g, '');
  const scope = `${amzDate.slice(0, 8)}/${input.region}/${input.service}/aws4_request`;
  const url = new URL(input.url);
  const params: Record<string, string> = { ...input.params };
  if (input.presign === true) {
    Object.assign(params, {
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': `${input.accessKeyId}/${scope}`,
      'X-Amz-Date': amzDate,
      'X-Amz-Expires': '300',
      'X-Amz-SignedHeaders': 'host',
    });
  }
  const query = Object.entries(params)
    .map(([k, v]) => [enc(k), enc(v)])
    .sort(([a], [b]) => (a! < b! ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const signedHeaders = input.presign === true ? 'host' : 'host;x-amz-date';
  const headerBlock = input.presign === true ? `host:${url.host}\n` : `host:${url.host}\nx-amz-date:${amzDate}\n`;
  const canonical = [
    'GET',
    '/',
    query,
    headerBlock,
    signedHeaders,
    input.presign === true ? 'UNSIGNED-PAYLOAD' : hex(''),
  ].join('\n');
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, hex(canonical)].join('\n');
  const key = hmac(
    hmac(hmac(hmac(`AWS4${input.secretAccessKey}`, amzDate.slice(0, 8)), input.region), input.service),
    'aws4_request',
  );
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  if (input.presign === true) return { url: `${url.origin}/?${query}&X-Amz-Signature=${signature}`, headers: {} };
  return {
    url: `${url.origin}/?${query}`,
    headers: {
      'x-amz-date': amzDate,
      authorization: `AWS4-HMAC-SHA256 Credential=${input.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    },
  };
}
