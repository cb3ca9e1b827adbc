import type { StaffRole } from '../src/core/actor.js';
import { Secret } from '../src/kernel/secret.js';
import { TestClient } from './client.js';
import { totpCodeFor } from './console.js';
import type { TestSteward } from './steward.js';

let counter = 0;

/** A staff member with the given roles, signed in through the API with their second factor enrolled. */
export async function staffSession(
  s: TestSteward,
  roles: readonly StaffRole[],
): Promise<{ client: TestClient; userId: string; email: string; totpSecret: string }> {
  counter += 1;
  const email = `staff${counter}-${Date.now()}@example.com`;
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
  const confirm = await client.post('/api/me/totp/confirm', { code: totpCodeFor(enrol.body.secret) });
  if (confirm.status !== 204) throw new Error(`staff TOTP enrolment failed: ${confirm.raw}`);
  return { client, userId, email, totpSecret: enrol.body.secret };
}
