import type { Clock } from '../../kernel/clock.js';
import type { Principal, SandboxAccounts } from './accounts.js';
import { Ec2Fault } from './faults.js';
import type { Params } from './params.js';
import { el } from './xml.js';

/** STS answers Sender errors with 400/403 and its own codes. */
const validation = (message: string): Ec2Fault => new Ec2Fault('ValidationError', message, 400);

export function getCallerIdentity(principal: Principal): string {
  return el('Arn', principal.arn) + el('UserId', principal.userId) + el('Account', principal.accountId);
}

export function assumeRole(p: Params, principal: Principal, accounts: SandboxAccounts, clock: Clock): string {
  const roleArn = p.str('RoleArn');
  const session = p.str('RoleSessionName');
  if (roleArn === undefined)
    throw validation(
      "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null",
    );
  if (session === undefined)
    throw validation(
      "1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null",
    );
  if (!/^[\w+=,.@-]{2,64}$/.test(session)) {
    throw validation(
      `1 validation error detected: Value '${session}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
    );
  }
  const duration = p.str('DurationSeconds') === undefined ? 3600 : Number(p.str('DurationSeconds'));
  if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
    throw validation(
      `1 validation error detected: Value '${p.str('DurationSeconds')}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`,
    );
  }
  const temp = accounts.assumeRole(roleArn, session, p.str('ExternalId'), duration);
  if (temp === undefined) {
    throw new Ec2Fault(
      'AccessDenied',
      `User: ${principal.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      403,
    );
  }
  return (
    '<Credentials>' +
    el('AccessKeyId', temp.accessKeyId) +
    el('SecretAccessKey', temp.secretAccessKey) +
    el('SessionToken', temp.sessionToken) +
    el('Expiration', new Date(temp.expiresMs ?? clock.nowMs()).toISOString()) +
    '</Credentials>' +
    '<AssumedRoleUser>' +
    el('AssumedRoleId', temp.userId) +
    el('Arn', temp.arn) +
    '</AssumedRoleUser>'
  );
}
