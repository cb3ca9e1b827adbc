import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readClaim, signedAt, uriEncode, verifySignature, type SignedRequest } from './sigv4.js';

// AWS's published SigV4 example ("get-vanilla"): fixed key, date and expected signature.
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const vanilla = (signature: string): SignedRequest => ({
  method: 'GET',
  rawPath: '/',
  rawQuery: '',
  headers: {
    host: 'example.amazonaws.com',
    'x-amz-date': '20150830T123600Z',
    authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=${signature}`,
  },
  body: Buffer.alloc(0),
});

describe('SigV4 verification', () => {
  it('accepts the published example and refuses a changed signature', () => {
    const good = vanilla('5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
    const claim = readClaim(good);
    if (claim.kind !== 'claim') throw new Error(claim.kind);
    expect(claim.claim).toMatchObject({ accessKeyId: 'AKIDEXAMPLE', region: 'us-east-1', service: 'service' });
    expect(verifySignature(good, claim.claim, SECRET)).toBe(true);
    expect(verifySignature(good, claim.claim, `${SECRET}x`)).toBe(false);
    expect(signedAt(claim.claim)).toBe(Date.UTC(2015, 7, 30, 12, 36, 0));
  });

  it('refuses a request whose body changed after signing', () => {
    const body = Buffer.from('Action=DescribeInstances&Version=2016-11-15');
    const amzDate = '20150830T123600Z';
    const canonical = [
      'POST',
      '/',
      '',
      'host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n',
      'host;x-amz-date',
      createHash('sha256').update(body).digest('hex'),
    ].join('\n');
    const scope = '20150830/us-east-1/ec2/aws4_request';
    const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonical).digest('hex')].join(
      '\n',
    );
    const hmac = (k: Buffer | string, d: string) => createHmac('sha256', k).update(d).digest();
    const key = hmac(hmac(hmac(hmac(`AWS4${SECRET}`, '20150830'), 'us-east-1'), 'ec2'), 'aws4_request');
    const signature = createHmac('sha256', key).update(toSign).digest('hex');
    const req: SignedRequest = {
      method: 'POST',
      rawPath: '/',
      rawQuery: '',
      body,
      headers: {
        host: 'example.amazonaws.com',
        'x-amz-date': amzDate,
        authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/${scope}, SignedHeaders=host;x-amz-date, Signature=${signature}`,
      },
    };
    const claim = readClaim(req);
    if (claim.kind !== 'claim') throw new Error(claim.kind);
    expect(verifySignature(req, claim.claim, SECRET)).toBe(true);
    expect(
      verifySignature(
        { ...req, body: Buffer.from('Action=TerminateInstances&Version=2016-11-15') },
        claim.claim,
        SECRET,
      ),
    ).toBe(false);
  });

  it.each([
    [{}, 'missing'],
    [{ authorization: 'AWS AKID:sig' }, 'malformed'],
    [
      {
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=ab',
      },
      'malformed',
    ],
    [
      {
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/ec2/aws4_request, SignedHeaders=x-amz-date, Signature=ab',
        'x-amz-date': '20150830T123600Z',
      },
      'malformed',
    ],
    [
      {
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKID/20150831/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=ab',
        'x-amz-date': '20150830T123600Z',
      },
      'malformed',
    ],
  ])('classifies %j as %s', (headers, kind) => {
    expect(readClaim({ method: 'GET', rawPath: '/', rawQuery: '', headers, body: Buffer.alloc(0) }).kind).toBe(kind);
  });

  it('encodes like RFC 3986', () => {
    expect(uriEncode("a b!*'()~._-/")).toBe('a%20b%21%2A%27%28%29~._-%2F');
  });
});
