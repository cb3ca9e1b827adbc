// Engine: SQLite only: mail and public pages; the privacy stores run on both engines in privacy-centre and privacy-deletion (docs/testing.md).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/kernel/errors.js';
import { signUp, TestClient, type SignedUp, type Json } from '../testkit/client.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';

/** The public endpoints outside the OpenAPI document (analytics, unsubscribe, policy page) against bad input. */
describe('public privacy endpoints: bad input gets a coded 4xx, never a 500', () => {
  let s: TestSteward;
  let person: SignedUp;
  const anon = () => new TestClient(s.app);
  const json = { 'content-type': 'application/json' };

  beforeAll(async () => {
    s = await startTestSteward({ engine: 'sqlite' });
    person = await signUp(s.app);
  });
  afterAll(() => s?.close());

  it('serves the script and stylesheet from Steward’s own origin', async () => {
    const js = await anon().get('/analytics/steward.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toContain('text/javascript');
    expect(js.raw).toContain('StewardConsent');
    expect((await anon().get('/analytics/steward.css')).headers['content-type']).toContain('text/css');
  });

  it('the collector refuses malformed, oversized and cross-site requests, and stores nothing without the cookie', async () => {
    const coded = (res: { status: number; body: Json }, status: number, code: string) => {
      expect(res.status).toBe(status);
      expect(res.body.error.code).toBe(code);
    };
    coded(await anon().request('POST', '/analytics/collect', '{"kind":', json), 400, 'STEWARD_MALFORMED_JSON');
    coded(
      await anon().request('POST', '/analytics/collect', { kind: 'pageview', path: '/', extra: 1 }),
      400,
      'STEWARD_INVALID_INPUT',
    );
    coded(
      await anon().request('POST', '/analytics/collect', { kind: 'pageview', path: 'x'.repeat(5000) }),
      413,
      'STEWARD_PAYLOAD_TOO_LARGE',
    );
    coded(
      await anon().request(
        'POST',
        '/analytics/collect',
        { kind: 'pageview', path: '/' },
        { origin: 'https://evil.example' },
      ),
      403,
      'STEWARD_FORBIDDEN',
    );
    coded(
      await anon().request('POST', '/analytics/consent', { analytics: true }, { 'sec-fetch-site': 'cross-site' }),
      403,
      'STEWARD_FORBIDDEN',
    );
    expect((await anon().request('POST', '/analytics/collect', { kind: 'pageview', path: '/' })).status).toBe(204);
    expect(await s.core.db.selectFrom('analytics_events').selectAll().execute()).toEqual([]);
  });

  it('a signed-in page needs no CSRF token for the banner, and the decision is the person’s consent record', async () => {
    const browserLike = new TestClient(s.app, { cookie: person.client.auth.cookie });
    const res = await browserLike.request(
      'POST',
      '/analytics/consent',
      { analytics: false },
      { 'sec-fetch-site': 'same-origin' },
    );
    expect(res.status).toBe(204);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(
      (await person.client.get('/api/me/consents')).body.current.find(
        (c: { purpose: string }) => c.purpose === 'analytics',
      ),
    ).toMatchObject({ granted: false, source: 'banner' });
  });

  it('unsubscribe links that are damaged answer 400 pages; nothing else is touched', async () => {
    expect((await anon().get('/unsubscribe')).status).toBe(400);
    expect((await anon().get('/unsubscribe?token=abc.def')).status).toBe(400);
    expect((await anon().request('POST', '/unsubscribe?token=abc', { a: 1 })).status).toBe(400);
    expect(
      (
        await anon().request('POST', '/unsubscribe?token=abc', 'x'.repeat(10_000), {
          'content-type': 'application/x-www-form-urlencoded',
        })
      ).status,
    ).toBe(413);
    expect(await s.core.db.selectFrom('suppressions').selectAll().execute()).toEqual([]);
  });

  it('fuzzing the collector, the banner and the unsubscribe link never yields a 5xx', async () => {
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/analytics/collect', '/analytics/consent', '/unsubscribe?token='),
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.json({ maxDepth: 2 }),
          fc.constant('{"kind":"download","path":"javascript:alert(1)"}'),
          fc.constant('{"kind":"pageview","path":"/a","referrer":"::::","language":"<x>"}'),
        ),
        fc.string({ maxLength: 120 }),
        fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain'),
        async (path, body, token, type) => {
          const url = path.endsWith('=') ? `${path}${encodeURIComponent(token)}` : path;
          const res = await new TestClient(s.app, { cookie: 'steward_analytics=abcdefghijklmnopqrstuv' }).request(
            'POST',
            url,
            body,
            { 'content-type': type },
          );
          if (res.status >= 500)
            failures.push(`${url} ${type} ${body.slice(0, 80)} → ${res.status} ${res.raw.slice(0, 200)}`);
          if (res.status >= 400 && res.headers['content-type']?.toString().includes('json'))
            expect(Object.keys(ERROR_CODES)).toContain(res.body?.error?.code);
        },
      ),
      { numRuns: 300 },
    );
    expect(failures).toEqual([]);
  });
});
