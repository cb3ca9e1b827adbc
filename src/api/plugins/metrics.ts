import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Core } from '../../core/core.js';

/** Prometheus metrics: process figures, HTTP traffic by route, and Steward's own health signals. */
export function registerMetrics(app: FastifyInstance, core: Core): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'steward_' });
  const requests = new Counter({
    name: 'steward_http_requests_total',
    help: 'HTTP requests answered.',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'steward_http_request_duration_seconds',
    help: 'Time to answer HTTP requests.',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  new Gauge({
    name: 'steward_vault_sealed',
    help: '1 when the vault is sealed.',
    registers: [registry],
    collect() {
      this.set(core.vault.isSealed() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'steward_audit_failing',
    help: '1 when the last audit write failed.',
    registers: [registry],
    collect() {
      this.set(core.audit.health().status === 'failing' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'steward_jobs',
    help: 'Jobs by status.',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      // cluster: through the queue port, so pg-boss's jobs are counted on PostgreSQL.
      const counts = await core.queue.counts().catch(() => ({}));
      this.reset();
      for (const [status, n] of Object.entries(counts)) this.set({ status }, Number(n));
    },
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  return registry;
}
