import type { IncomingMessage, ServerResponse } from 'node:http';
import { systemClock, type Clock } from '../../kernel/clock.js';
import { Faults } from '../common/faults.js';
import { BodyTooLarge, delay, handleAdmin, listen, readBody } from '../common/http.js';
import type { InstanceHost, InstanceHosts } from '../common/ports.js';
import { SandboxAccounts, type Principal, type SandboxAwsCredentials, type SandboxRole } from './accounts.js';
import { authenticate, type AuthOutcome } from './authenticate.js';
import { EC2_ACTIONS, MUTATING } from './actions/index.js';
import { Ec2Fault } from './faults.js';
import { Params, paramTree } from './params.js';
import { Ec2World } from './state.js';
import { assumeRole, getCallerIdentity } from './sts.js';
import { ec2Error, ec2Response, newRequestId, stsError, stsResponse } from './xml.js';

export interface Ec2SandboxOptions {
  readonly host: string;
  readonly port: number;
  readonly hosts: InstanceHosts;
  readonly credentials: SandboxAwsCredentials;
  readonly adminToken: string;
  /** Drives instance state changes and temporary-key expiry. */
  readonly clock?: Clock;
  /** How long pending/stopping/shutting-down last. Default 2 s. */
  readonly transitionMs?: number;
  readonly terminatedRetentionMs?: number;
  /** Judges signature freshness (the signer uses real time even when state runs on a fake clock). */
  readonly requestClock?: Clock;
}

/** One request as the sandbox saw it (for tests that check what a client sent). */
export interface LoggedRequest {
  readonly service: 'ec2' | 'sts';
  readonly action: string;
  readonly status: number;
  readonly params: Readonly<Record<string, string>>;
}

export interface Ec2Sandbox {
  readonly url: string;
  readonly faults: Faults;
  readonly accounts: SandboxAccounts;
  readonly world: Ec2World;
  /** The last requests, newest last. */
  readonly requests: readonly LoggedRequest[];
  addRole(role: SandboxRole): void;
  /** Where an instance's SSH host is (tests use this to log in). */
  instanceHost(region: string, instanceId: string): InstanceHost | undefined;
  close(): Promise<void>;
}

const LOG_LIMIT = 1000;

interface Reply {
  readonly status: number;
  readonly body: string;
}

/** Starts the EC2 Query API (and the STS calls clients need) on a loopback port. */
export async function startEc2Sandbox(options: Ec2SandboxOptions): Promise<Ec2Sandbox> {
  const clock = options.clock ?? systemClock;
  const accounts = new SandboxAccounts(options.credentials, clock);
  const world = new Ec2World({
    clock,
    transitionMs: options.transitionMs ?? 2_000,
    terminatedRetentionMs: options.terminatedRetentionMs ?? 60 * 60_000,
    accountId: options.credentials.accountId,
  });
  const faults = new Faults();
  const requests: LoggedRequest[] = [];

  const answer = async (
    service: 'ec2' | 'sts',
    action: string,
    p: Params,
    principal: Principal,
    region: string,
  ): Promise<string> => {
    if (service === 'sts') {
      if (action === 'GetCallerIdentity') return getCallerIdentity(principal);
      if (action === 'AssumeRole') return assumeRole(p, principal, accounts, clock);
      throw new Ec2Fault('InvalidAction', `Could not find operation ${action} for version 2011-06-15`);
    }
    const handler = EC2_ACTIONS[action];
    if (handler === undefined)
      throw new Ec2Fault('InvalidAction', `The action ${action} is not valid for this web service.`);
    if (MUTATING.has(action) && p.bool('DryRun'))
      throw new Ec2Fault('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
    return handler({ p, world, region: world.region(region), principal, hosts: options.hosts, clock });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (
      await handleAdmin(req, res, options.adminToken, faults, async (path, method, body) => {
        if (path === 'roles' && method === 'POST') {
          const role = body as { arn?: unknown; externalId?: unknown };
          if (typeof role.arn !== 'string') return { error: 'arn is required' };
          accounts.addRole({
            arn: role.arn,
            externalId: typeof role.externalId === 'string' ? role.externalId : undefined,
          });
          return { ok: true };
        }
        return undefined;
      })
    )
      return;

    const requestId = newRequestId();
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (err) {
      if (!(err instanceof BodyTooLarge)) throw err;
      send(res, 'ec2', requestId, {
        status: 413,
        body: ec2Error('RequestEntityTooLarge', 'Request body is too large.', requestId),
      });
      return;
    }
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const params = new URLSearchParams(url.search);
    if (body.length > 0) for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.append(k, v);
    const p = new Params(paramTree(params));
    const action = p.str('Action') ?? '';
    const auth: AuthOutcome = authenticate(
      {
        method: req.method ?? 'GET',
        rawPath: url.pathname,
        rawQuery: (req.url ?? '').split('?')[1] ?? '',
        headers: req.headers,
        body,
      },
      action,
      accounts,
      options.requestClock ?? systemClock,
    );
    const service = auth.service;

    let reply: Reply;
    if (auth.kind === 'denied') {
      reply = errorReply(service, auth.fault, requestId);
    } else {
      const decision = faults.decide();
      await delay(decision.delayMs);
      try {
        if (decision.fault === 'bad-credentials') {
          throw service === 'sts'
            ? new Ec2Fault('InvalidClientTokenId', 'The security token included in the request is invalid.', 403)
            : new Ec2Fault('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
        }
        if (decision.fault === 'throttle') {
          throw service === 'sts'
            ? new Ec2Fault('Throttling', 'Rate exceeded', 400)
            : new Ec2Fault('RequestLimitExceeded', 'Request limit exceeded.', 503);
        }
        if (decision.fault === 'server-error') {
          throw decision.status === 503
            ? new Ec2Fault(
                service === 'sts' ? 'ServiceUnavailable' : 'Unavailable',
                'The service is unavailable. Please try again shortly.',
                503,
              )
            : new Ec2Fault(
                service === 'sts' ? 'InternalFailure' : 'InternalError',
                'An internal error has occurred',
                500,
              );
        }
        if (action === '') throw new Ec2Fault('MissingAction', 'The request must contain the parameter Action');
        const inner = await answer(service, action, p, auth.principal, auth.region);
        reply = {
          status: 200,
          body: service === 'sts' ? stsResponse(action, requestId, inner) : ec2Response(action, requestId, inner),
        };
      } catch (err) {
        if (!(err instanceof Ec2Fault)) throw err;
        reply = errorReply(service, err, requestId);
      }
    }
    requests.push({
      service,
      action,
      status: reply.status,
      params: Object.fromEntries([...params].filter(([k]) => !k.startsWith('X-Amz-'))),
    });
    if (requests.length > LOG_LIMIT) requests.splice(0, requests.length - LOG_LIMIT);
    send(res, service, requestId, reply);
  };

  const listening = await listen(options.host, options.port, handle);
  return {
    url: listening.url,
    faults,
    accounts,
    world,
    requests,
    addRole: (role) => accounts.addRole(role),
    instanceHost: (region, id) => world.region(region).instances.get(id)?.host,
    close: () => listening.close(),
  };
}

function errorReply(service: 'ec2' | 'sts', fault: Ec2Fault, requestId: string): Reply {
  return service === 'sts'
    ? { status: fault.status, body: stsError(fault.code, fault.message, requestId, fault.status) }
    : { status: fault.status, body: ec2Error(fault.code, fault.message, requestId) };
}

function send(res: ServerResponse, service: 'ec2' | 'sts', requestId: string, reply: Reply): void {
  res.writeHead(reply.status, {
    'content-type': 'text/xml;charset=UTF-8',
    'x-amzn-requestid': requestId,
    server: service === 'sts' ? 'AmazonSTS-sandbox' : 'AmazonEC2-sandbox',
    date: new Date().toUTCString(),
  });
  res.end(reply.body);
}
