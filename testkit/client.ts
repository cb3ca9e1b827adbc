import type { FastifyInstance, InjectOptions } from 'fastify';
import { confirmationLink, coreOf } from './steward.js';

/**
 * A parsed JSON document in a test (a response body, the OpenAPI document). Its shape is what the test asserts,
 * so it is read without a declared type; production code never uses this.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: tests assert the shape they read
export type Json = any;

export interface Reply<T = Json> {
  readonly status: number;
  readonly body: T;
  readonly raw: string;
  readonly headers: Record<string, string | string[] | number | undefined>;
}

/** Every response a test client saw, so leak tests can grep them all. */
export const seenResponses: string[] = [];

/**
 * A test client over `app.inject`, carrying a session cookie and CSRF token or an API token, as the console
 * and the CLI do.
 */
export class TestClient {
  constructor(
    readonly app: FastifyInstance,
    /** `from`: the client address the request comes from (default 127.0.0.1, as inject() uses). */
    readonly auth: { cookie?: string; csrf?: string; token?: string; from?: string } = {},
  ) {}

  async request<T = Json>(
    method: InjectOptions['method'],
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply<T>> {
    const h: Record<string, string> = { ...headers };
    if (this.auth.cookie) h.cookie = this.auth.cookie;
    if (this.auth.csrf) h['x-csrf-token'] = this.auth.csrf;
    if (this.auth.token) h.authorization = `Bearer ${this.auth.token}`;
    const res = await this.app.inject({
      method,
      url,
      headers: h,
      ...(this.auth.from ? { remoteAddress: this.auth.from } : {}),
      ...(body === undefined ? {} : { payload: body as object }),
    });
    seenResponses.push(`${JSON.stringify(res.headers)}\n${res.body}`);
    let parsed: unknown;
    try {
      parsed = res.body ? JSON.parse(res.body) : undefined;
    } catch {
      parsed = res.body;
    }
    return { status: res.statusCode, body: parsed as T, raw: res.body, headers: res.headers };
  }

  get = <T = Json>(url: string) => this.request<T>('GET', url);
  post = <T = Json>(url: string, body?: unknown) => this.request<T>('POST', url, body ?? {});
  patch = <T = Json>(url: string, body?: unknown) => this.request<T>('PATCH', url, body ?? {});
  put = <T = Json>(url: string, body?: unknown) => this.request<T>('PUT', url, body ?? {});
  delete = <T = Json>(url: string) => this.request<T>('DELETE', url);
}

export interface SignedUp {
  readonly client: TestClient;
  readonly userId: string;
  readonly orgId: string;
  readonly email: string;
  readonly password: string;
}

let counter = 0;

/**
 * Signs a new customer up through the API as a person would: asks, follows the link from the confirmation mail
 * Steward wrote, signs in. Returns a client holding their session.
 */
export async function signUp(
  app: FastifyInstance,
  overrides: Partial<{ email: string; password: string; name: string; orgName: string; phone: string }> = {},
): Promise<SignedUp> {
  counter += 1;
  const email = overrides.email ?? `person${counter}-${Date.now()}@example.com`;
  const password = overrides.password ?? `Pw-${counter}-long-enough-${Math.random().toString(36).slice(2)}`;
  // As the console does: the terms in force (if any are published) are shown and accepted.
  const terms = (await new TestClient(app).get('/api/terms')).body?.terms as { version: string } | null;
  const res = await new TestClient(app).post('/api/auth/signup', {
    email,
    password,
    name: overrides.name ?? `Person ${counter}`,
    orgName: overrides.orgName ?? `Org ${counter}`,
    ...(overrides.phone ? { phone: overrides.phone } : {}),
    ...(terms ? { acceptTerms: terms.version } : {}),
  });
  if (res.status !== 202) throw new Error(`sign-up failed: ${res.status} ${res.raw}`);
  const token = new URL(await confirmationLink(coreOf(app), email)).hash.slice(1);
  const confirmed = await new TestClient(app).post('/api/auth/confirm', { token });
  if (confirmed.status !== 200) throw new Error(`confirmation failed: ${confirmed.status} ${confirmed.raw}`);
  const signedIn = await new TestClient(app).post('/api/auth/signin', { email, password });
  if (signedIn.status !== 200) throw new Error(`sign-in after sign-up failed: ${signedIn.status} ${signedIn.raw}`);
  const cookie = String(signedIn.headers['set-cookie']).split(';')[0]!;
  return {
    client: new TestClient(app, { cookie, csrf: signedIn.body.csrfToken }),
    userId: signedIn.body.user.id,
    orgId: signedIn.body.orgs[0].id,
    email,
    password,
  };
}
