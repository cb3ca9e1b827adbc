import { describe, expect, it } from 'vitest';
import { mapElasticError } from './errors.js';

const map = (status: number, header: string | undefined, body = '') =>
  mapElasticError({ status, header, body }, 'POST /servers/{uuid}/start');

describe('X-Elastic-Error mapping', () => {
  it.each([
    [401, 'auth', 'STEWARD_PROVIDER_INVALID_CREDENTIALS'],
    [404, 'missing', 'STEWARD_PROVIDER_NOT_FOUND'],
    [400, 'usage', 'STEWARD_PROVIDER_REQUEST_REJECTED'],
    [402, 'billing', 'STEWARD_PROVIDER_REQUEST_REJECTED'],
    [405, 'method', 'STEWARD_PROVIDER_REQUEST_REJECTED'],
    [409, 'busy', 'STEWARD_PROVIDER_REQUEST_REJECTED'],
    [500, 'failed', 'STEWARD_PROVIDER_UNAVAILABLE'],
    [500, 'system', 'STEWARD_PROVIDER_UNAVAILABLE'],
    [507, 'full', 'STEWARD_PROVIDER_UNAVAILABLE'],
    [429, undefined, 'STEWARD_PROVIDER_RATE_LIMITED'],
    [502, undefined, 'STEWARD_PROVIDER_UNAVAILABLE'],
    [302, undefined, 'STEWARD_PROVIDER_UNAVAILABLE'],
  ])('%i %s → %s', (status, header, code) => {
    const err = map(status, header);
    expect(err.code).toBe(code);
    expect(err.providerCode).toBe(header);
  });

  it('treats a 400 that says "could not be found" as missing, and drops the CloudSigma prefix', () => {
    const err = map(400, 'system', 'errors:system Drive 8f9b42b1 could not be found. Please re-validate your entry.');
    expect(err.code).toBe('STEWARD_PROVIDER_NOT_FOUND');
    expect(err.message).toContain('(Drive 8f9b42b1 could not be found.');
    expect(err.message).not.toContain('errors:');
  });

  it('classifies by header before status', () => {
    expect(map(400, 'auth').code).toBe('STEWARD_PROVIDER_INVALID_CREDENTIALS');
  });
});
