import type { Clock } from '../../kernel/clock.js';
import type { Principal, SandboxAccounts } from './accounts.js';
import { REGIONS } from './catalog.js';
import { Ec2Fault } from './faults.js';
import { readClaim, signedAt, verifySignature, type SignedRequest } from './sigv4.js';

export type Service = 'ec2' | 'sts';

export type AuthOutcome =
  | { readonly kind: 'ok'; readonly service: Service; readonly principal: Principal; readonly region: string }
  | { readonly kind: 'denied'; readonly service: Service; readonly fault: Ec2Fault };

const STS_ACTIONS = new Set([
  'GetCallerIdentity',
  'AssumeRole',
  'GetSessionToken',
  'AssumeRoleWithWebIdentity',
  'DecodeAuthorizationMessage',
]);
const SKEW_MS = 15 * 60_000;

// The two services word the same failures differently; these are the answers real clients expect.
const FAULTS = {
  missing: {
    ec2: () =>
      new Ec2Fault('MissingAuthenticationToken', 'AWS was not able to validate the provided access credentials', 401),
    sts: () => new Ec2Fault('MissingAuthenticationToken', 'Request is missing Authentication Token', 403),
  },
  unknownKey: {
    ec2: () => new Ec2Fault('AuthFailure', 'AWS was not able to validate the provided access credentials', 401),
    sts: () => new Ec2Fault('InvalidClientTokenId', 'The security token included in the request is invalid.', 403),
  },
  badSignature: {
    ec2: () => new Ec2Fault('AuthFailure', 'AWS was not able to validate the provided access credentials', 401),
    sts: () =>
      new Ec2Fault(
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. ' +
          'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
        403,
      ),
  },
  expiredToken: {
    ec2: () => new Ec2Fault('RequestExpired', 'Request has expired.', 400),
    sts: () => new Ec2Fault('ExpiredToken', 'The security token included in the request is expired', 400),
  },
  stale: {
    ec2: () => new Ec2Fault('RequestExpired', 'Request has expired.', 400),
    sts: () =>
      new Ec2Fault(
        'SignatureDoesNotMatch',
        'Signature expired: the request time is too far from the server time (15 minutes allowed).',
        403,
      ),
  },
} as const;

/** Checks who signed the request, with the errors AWS gives for each way it can be wrong. */
export function authenticate(
  req: SignedRequest,
  action: string,
  accounts: SandboxAccounts,
  requestClock: Clock,
): AuthOutcome {
  const result = readClaim(req);
  const guessed: Service = STS_ACTIONS.has(action) ? 'sts' : 'ec2';
  if (result.kind === 'missing') return { kind: 'denied', service: guessed, fault: FAULTS.missing[guessed]() };
  if (result.kind === 'malformed')
    return { kind: 'denied', service: guessed, fault: new Ec2Fault('IncompleteSignature', result.why, 400) };
  const { claim } = result;
  // One endpoint serves both services; the credential scope says which one the client meant.
  const service: Service = claim.service === 'sts' ? 'sts' : claim.service === 'ec2' ? 'ec2' : guessed;
  const deny = (fault: Ec2Fault): AuthOutcome => ({ kind: 'denied', service, fault });
  if (claim.service !== service || (action !== '' && service !== guessed)) {
    const message = `Credential should be scoped to correct service: '${guessed}'.`;
    return deny(
      service === 'sts'
        ? new Ec2Fault('SignatureDoesNotMatch', message, 403)
        : new Ec2Fault('AuthFailure', message, 401),
    );
  }
  if (service === 'ec2' && !REGIONS.some((r) => r.name === claim.region)) {
    return deny(new Ec2Fault('AuthFailure', 'Credential should be scoped to a valid region.', 401));
  }
  const principal = accounts.lookup(claim.accessKeyId);
  if (principal === undefined || !accounts.sessionTokenMatches(principal, claim.sessionToken))
    return deny(FAULTS.unknownKey[service]());
  if (!verifySignature(req, claim, principal.secretAccessKey)) return deny(FAULTS.badSignature[service]());
  if (accounts.isExpired(principal)) return deny(FAULTS.expiredToken[service]());
  const age = requestClock.nowMs() - signedAt(claim);
  const lifetime = claim.presigned ? (claim.expiresSeconds ?? 0) * 1000 : SKEW_MS;
  if (age > lifetime || age < -SKEW_MS) return deny(FAULTS.stale[service]());
  return { kind: 'ok', service, principal, region: claim.region };
}
