/** Shared pieces of the provisioning tests: a Steward that accepts sandbox endpoints, sandbox clouds, polling. */
import {
  startSandboxClouds,
  type InstanceHosts,
  type SandboxClouds,
  type SandboxCredentialsInput,
} from '../src/sandbox/clouds.js';
import type { SignedUp } from './client.js';
import { FakeInstanceHosts } from './providers/fake-hosts.js';
import { startTestSteward, type TestSteward } from './steward.js';
import { until } from './wait.js';

/** A Steward that accepts the loopback sandbox clouds as endpoints and polls launches quickly. */
export function startProvisioningSteward(env: Record<string, string> = {}): Promise<TestSteward> {
  return startTestSteward({
    engine: 'sqlite',
    env: {
      STEWARD_SANDBOX_ENDPOINTS: 'true',
      STEWARD_PROVIDER_POLL_MS: '200',
      STEWARD_INSTANCE_SYNC_SECONDS: '0',
      ...env,
    },
  });
}

/** Sandbox clouds over in-memory hosts (no SSH): for tests that only talk to the provider APIs. */
export function startFakeClouds(
  options: { credentials?: SandboxCredentialsInput; transitionMs?: number } = {},
): Promise<SandboxClouds & { hosts: FakeInstanceHosts }> {
  const hosts = new FakeInstanceHosts();
  return startSandboxClouds({
    hosts,
    transitionMs: options.transitionMs ?? 200,
    imagingMs: 300,
    ...(options.credentials ? { credentials: options.credentials } : {}),
  }).then((c) => Object.assign(c, { hosts }));
}

export function startClouds(hosts: InstanceHosts, transitionMs = 500): Promise<SandboxClouds> {
  return startSandboxClouds({ hosts, transitionMs, imagingMs: 500 });
}

export const EC2_IMAGE = 'ami-0a5a4db0c0de00001';
export const ELASTIC_IMAGE = 'ce85ef47-9794-4ed7-a8bd-af902ec0eddc';

/** The body that connects the sandbox's EC2 account. */
export const ec2Account = (c: SandboxClouds, name = 'sandbox ec2') => ({
  provider: 'ec2',
  name,
  region: c.ec2.region,
  endpoint: c.ec2.url,
  accessKeyId: c.ec2.accessKeyId,
  secretAccessKey: c.ec2.secretAccessKey,
});

/** The body that connects the sandbox's ElasticStack account. */
export const elasticAccount = (c: SandboxClouds, name = 'sandbox elastichosts') => ({
  provider: 'elastichosts',
  name,
  baseUrl: c.elastic.url,
  zone: 'sandbox-1',
  user: c.elastic.user,
  secretKey: c.elastic.secretKey,
});

/** Connects an account through the API and returns its id. */
export async function connect(who: SignedUp, body: object): Promise<string> {
  const res = await who.client.post(`/api/orgs/${who.orgId}/provider-accounts`, body);
  if (res.status !== 201) throw new Error(`connecting failed: ${res.status} ${res.raw}`);
  return res.body.id as string;
}

/** A launch as the API shows it (the fields tests read). */
export interface LaunchBody {
  readonly stage: string;
  readonly token: string;
  readonly jobId: string;
  readonly instanceId: string;
  readonly serverId: string;
  readonly address: string;
  readonly error: { readonly code: string; readonly message: string } | null;
}

/** One credential use as the ledger lists it. */
export interface CredentialUse {
  readonly credential: string;
  readonly operation: string;
  readonly outcome: string;
  readonly instruction: Record<string, unknown>;
  readonly target: { readonly type: string; readonly id: string };
}

/** One audit entry as the API lists it. */
export interface AuditEntry {
  readonly action: string;
  readonly target: { readonly type: string; readonly id: string } | null;
  readonly details: Record<string, unknown>;
}

/** An instance as the cross-account listing shows it (the fields tests read). */
export interface InstanceBody extends Record<string, unknown> {
  readonly id: string;
  readonly state: string;
  readonly publicIp: string | null;
}

/** The facts of a server's first snapshot (the fields tests read). */
export interface FactsBody {
  readonly os: { readonly id: string };
  readonly identity: { readonly hostname: string };
  readonly sshKeys: { readonly host: readonly { readonly fingerprint: string }[] };
}

/** Waits for a launch to reach `ready` (or fail, which throws with the reason). */
export async function launchSettled(
  who: SignedUp,
  accountId: string,
  token: string,
  ms = 180_000,
): Promise<LaunchBody> {
  return until(
    `launch ${token}`,
    async () => {
      const res = await who.client.get(`/api/orgs/${who.orgId}/provider-accounts/${accountId}/launches/${token}`);
      if (res.body.stage === 'failed')
        throw Object.assign(new Error(`launch failed: ${JSON.stringify(res.body.error)}`), {
          final: true,
          body: res.body,
        });
      return res.body.stage === 'ready' ? res.body : undefined;
    },
    { timeoutMs: ms, everyMs: 200 },
  );
}

/** The instance as the cross-account listing shows it. */
export async function instanceOf(who: SignedUp, accountId: string, id: string): Promise<InstanceBody | undefined> {
  const res = await who.client.get(`/api/orgs/${who.orgId}/instances`);
  return res.body.instances.find((i: { accountId: string; id: string }) => i.accountId === accountId && i.id === id);
}

/** Waits until Steward has discovered the server (its first snapshot) and returns the facts. */
export async function factsOf(a: SignedUp, serverId: string, ms = 120_000): Promise<FactsBody> {
  return until(
    `the first discovery of server ${serverId}`,
    async () => {
      const res = await a.client.get(`/api/orgs/${a.orgId}/servers/${serverId}/facts`);
      if (res.status === 200) return res.body.facts as FactsBody;
      throw new Error(`the facts answer ${res.status} ${res.raw.slice(0, 200)}`);
    },
    { timeoutMs: ms, everyMs: 200 },
  );
}

/**
 * Instance hosts where the next launched host changes its SSH host keys right after it booted (and printed the
 * first ones to its console): what a machine in the middle answering for the new server would look like to Steward.
 */
export function substitutingHostKeys(
  inner: InstanceHosts,
  launcher: { hosts(): readonly { address: string; regenerateHostKeys(): Promise<void> }[] },
): InstanceHosts & { substituteNext(): void } {
  let armed = false;
  return {
    substituteNext: () => {
      armed = true;
    },
    async create(instanceId, spec) {
      const booted = await inner.create(instanceId, spec);
      if (armed) {
        armed = false;
        const host = launcher.hosts().find((h) => h.address === booted.address);
        if (host === undefined) throw new Error(`no test host at ${booted.address}`);
        await host.regenerateHostKeys();
      }
      return booted;
    },
    stop: (id) => inner.stop(id),
    start: (id) => inner.start(id),
    destroy: (id) => inner.destroy(id),
  };
}
