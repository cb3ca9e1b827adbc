/**
 * Helpers shared by the access tests: staff members with a second factor (and fresh step-up codes), servers
 * on real hosts made ready, and support grants taken by a staff member.
 */
import { totpAt, totpStep } from '../src/crypto/totp.js';
import type { StaffRole } from '../src/core/actor.js';
import { sleep } from '../src/kernel/clock.js';
import { Secret } from '../src/kernel/secret.js';
import type { TestHost } from '../src/sandbox/hosts/index.js';
import { TestClient, type SignedUp } from '../testkit/client.js';
import { base32Decode } from '../testkit/console.js';
import type { TestSteward } from '../testkit/steward.js';
import { until } from '../testkit/wait.js';

export interface StaffMember {
  readonly client: TestClient;
  readonly userId: string;
  readonly token: string;
  /** A code Steward has not seen yet (steps move forward; at most one per 30 s window after the first). */
  nextCode(): Promise<string>;
}

let counter = 0;

/** A signed-in staff member with TOTP enrolled, a session client and an API token. */
export async function staffMember(
  s: TestSteward,
  roles: readonly StaffRole[],
  nowMs: () => number = () => s.core.clock.nowMs(),
): Promise<StaffMember> {
  counter += 1;
  const email = `access-staff${counter}-${Date.now()}@example.com`;
  const password = `staff password ${counter}-${Math.random().toString(36).slice(2)}`;
  const userId = await s.core.users.createStaff(
    { email, password: new Secret(password), name: `Staff ${counter}`, roles: [...roles] },
    { type: 'system' },
    {},
  );
  const signin = await new TestClient(s.app).post('/api/auth/signin', { email, password });
  if (signin.status !== 200) throw new Error(`staff sign-in failed: ${signin.raw}`);
  const client = new TestClient(s.app, {
    cookie: String(signin.headers['set-cookie']).split(';')[0],
    csrf: signin.body.csrfToken,
  });
  const enrol = await client.post('/api/me/totp/enrol');
  const secret = base32Decode(enrol.body.secret);
  let lastStep = totpStep(nowMs());
  const confirm = await client.post('/api/me/totp/confirm', { code: totpAt(secret, lastStep) });
  if (confirm.status !== 204) throw new Error(`staff TOTP enrolment failed: ${confirm.raw}`);
  const token = (await client.post('/api/me/tokens', { name: 'access tests' })).body.token as string;
  return {
    client,
    userId,
    token,
    async nextCode() {
      // Steward accepts the step after the current one (clock drift), so one code is ready at once.
      for (;;) {
        const now = totpStep(nowMs());
        if (lastStep < now + 1) {
          lastStep = Math.max(lastStep + 1, now - 1);
          return totpAt(secret, lastStep);
        }
        await sleep(1000);
      }
    },
  };
}

/** Adds a fleet host as a server of the customer's organisation and waits until it is ready. */
export async function readyServer(
  customer: SignedUp,
  host: TestHost,
  privateKey: string,
  name: string,
): Promise<string> {
  const res = await customer.client.post(`/api/orgs/${customer.orgId}/servers`, {
    name,
    address: host.address,
    port: host.port,
    privateKey,
    hostKey: host.hostKeys[0]!.publicKey,
  });
  if (res.status !== 202) throw new Error(`adding the server failed: ${res.raw}`);
  const id = res.body.id as string;
  // Enrolment is a job; on a busy machine it can take a while. A server that ends anywhere but ready says why.
  const server = await until(
    `server ${name} enrolled`,
    async () => {
      const { body } = await customer.client.get(`/api/orgs/${customer.orgId}/servers/${id}`);
      return body.status === 'enrolling' ? undefined : body;
    },
    { timeoutMs: 180_000 },
  );
  if (server.status !== 'ready')
    throw new Error(`server ${name} is ${server.status}: ${server.statusReason ?? 'no reason given'}`);
  return id;
}

/** The customer opens a support request on `serverIds`; `staff` takes it. Returns the active grant's id. */
export async function supportGrant(
  customer: SignedUp,
  staff: StaffMember,
  serverIds: readonly string[],
  opts: { actions?: string[]; minutes?: number } = {},
): Promise<{ grantId: string; supportId: string }> {
  const opened = await customer.client.post(`/api/orgs/${customer.orgId}/support-requests`, {
    kind: 'support',
    subject: 'Help with the web server',
    message: 'nginx answers 502 since this morning',
    serverIds,
    durationMinutes: opts.minutes ?? 60,
    ...(opts.actions ? { actions: opts.actions } : {}),
  });
  if (opened.status !== 201) throw new Error(`opening support failed: ${opened.raw}`);
  const taken = await staff.client.post(`/api/staff/support-requests/${opened.body.id}/take`);
  if (taken.status !== 200) throw new Error(`taking support failed: ${taken.raw}`);
  return { grantId: opened.body.grantId, supportId: opened.body.id };
}
