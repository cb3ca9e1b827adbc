import autocannon from 'autocannon';
import { signUp } from '../testkit/client.js';
import { startTestSteward } from '../testkit/steward.js';

export interface ApiBench {
  readonly requestsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
}

/** An authenticated read (GET /api/orgs/:id, session cookie) under load from autocannon. */
export async function benchApi(durationSec = 10, connections = 10): Promise<ApiBench> {
  const s = await startTestSteward({ engine: 'sqlite', env: { STEWARD_LOG_LEVEL: 'warn' } });
  try {
    const a = await signUp(s.app);
    await s.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (s.app.server.address() as { port: number }).port;
    const result = await autocannon({
      url: `http://127.0.0.1:${port}/api/orgs/${a.orgId}`,
      connections,
      duration: durationSec,
      headers: { cookie: a.client.auth.cookie! },
    });
    return {
      requestsPerSec: Math.round(result.requests.average),
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      errors: result.errors + result.non2xx,
    };
  } finally {
    await s.close();
  }
}
