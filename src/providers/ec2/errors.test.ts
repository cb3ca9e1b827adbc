import { describe, expect, it } from 'vitest';
import { ProviderUnavailableError } from '../errors.js';
import { mapEc2Error } from './errors.js';

function sdkError(name: string, status: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} happened`), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, requestId: 'req-1', attempts: 3 },
    ...extra,
  });
}

describe('EC2 error mapping', () => {
  it.each([
    ['AuthFailure', 401, 'STEWARD_PROVIDER_INVALID_CREDENTIALS'],
    ['UnauthorizedOperation', 403, 'STEWARD_PROVIDER_INVALID_CREDENTIALS'],
    ['InvalidClientTokenId', 403, 'STEWARD_PROVIDER_INVALID_CREDENTIALS'],
    ['SignatureDoesNotMatch', 403, 'STEWARD_PROVIDER_INVALID_CREDENTIALS'],
    ['AccessDenied', 403, 'STEWARD_PROVIDER_INVALID_CREDENTIALS'],
    ['InvalidInstanceID.NotFound', 400, 'STEWARD_PROVIDER_NOT_FOUND'],
    ['InvalidAMIID.NotFound', 400, 'STEWARD_PROVIDER_NOT_FOUND'],
    ['RequestLimitExceeded', 503, 'STEWARD_PROVIDER_RATE_LIMITED'],
    ['Throttling', 400, 'STEWARD_PROVIDER_RATE_LIMITED'],
    ['InternalError', 500, 'STEWARD_PROVIDER_UNAVAILABLE'],
    ['Unavailable', 503, 'STEWARD_PROVIDER_UNAVAILABLE'],
    ['InvalidParameterValue', 400, 'STEWARD_PROVIDER_REQUEST_REJECTED'],
  ])('%s (%i) → %s', (name, status, code) => {
    const err = mapEc2Error(sdkError(name, status), 'DescribeInstances');
    expect(err).toMatchObject({ code });
  });

  it('words credential failures itself rather than echoing AWS', () => {
    const err = mapEc2Error(
      sdkError('UnauthorizedOperation', 403, { message: 'Encoded authorization failure message: xyz' }),
      'RunInstances',
    );
    expect(err.message).toContain('ec2:RunInstances');
    expect(err.message).not.toContain('xyz');
  });

  it('says how many attempts a storm took', () => {
    expect(mapEc2Error(sdkError('RequestLimitExceeded', 503), 'DescribeImages').message).toContain('after 3 attempts');
  });

  it('keeps the body of an answer it could not read', () => {
    const err = mapEc2Error(
      Object.assign(new Error('Deserialization error: bad'), {
        $responseBodyText: '<html>oops</html>',
        $metadata: { httpStatusCode: 200 },
      }),
      'DescribeImages',
    );
    expect(err).toMatchObject({ code: 'STEWARD_PROVIDER_MALFORMED_RESPONSE', body: '<html>oops</html>' });
  });

  it('reports network failures as unavailable', () => {
    const err = mapEc2Error(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      'DescribeImages',
    );
    expect(err).toBeInstanceOf(ProviderUnavailableError);
  });

  it('passes Steward errors through untouched', () => {
    const original = Object.assign(new Error('ledger'), { code: 'STEWARD_AUDIT_UNAVAILABLE' });
    expect(mapEc2Error(original, 'DescribeImages')).toBe(original);
  });
});
