import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { Core } from '../core/core.js';
import { newId } from '../kernel/ids.js';
import { registerAuth } from './plugins/auth.js';
import { registerErrorHandling } from './plugins/errors.js';
import { registerHardening } from './plugins/hardening.js';
import { registerMetrics } from './plugins/metrics.js';
import { auditRoutes } from './routes/audit.js';
import { authRoutes } from './routes/auth.js';
import { credentialRoutes } from './routes/credentials.js';
import { jobRoutes } from './routes/jobs.js';
import { meRoutes } from './routes/me.js';
import { orgRoutes } from './routes/orgs.js';
import { consoleRoutes } from './routes/console.js';
import { serverRoutes } from './routes/servers.js';
import { provisioningRoutes } from './routes/provisioning.js';
import { taskRoutes } from './routes/tasks.js';
import { discoveryRoutes } from './routes/discovery.js';
import { monitoringRoutes } from './routes/monitoring.js';
import { backupRoutes } from './routes/backups.js';
import { systemRoutes } from './routes/system.js';
import fastifyWebsocket from '@fastify/websocket';
import { accessRoutes } from './routes/access.js';
import { staffAccessRoutes } from './routes/staff-access.js';
import { terminalRoutes } from './routes/terminal.js';
import { privacyRoutes } from './routes/privacy.js';
import { privacyStaffRoutes } from './routes/privacy-staff.js';
import { billingRoutes } from './routes/billing.js';
import { billingStaffRoutes } from './routes/billing-staff.js';
import { trustRoutes } from './routes/trust.js';
import { termsRoutes } from './routes/terms.js';
import { recommendationRoutes } from './routes/recommendations.js';
import { analyticsRoutes } from './public/analytics.js';
import { publicPageRoutes } from './public/pages.js';

export const API_VERSION = '0.1.0';

const CLIENT_ERROR_BODY = JSON.stringify({
  error: {
    code: 'STEWARD_BAD_HEADER',
    message: 'The request is malformed (a header holds a control character or the request line is invalid).',
    requestId: 'none',
  },
});

/** Builds the HTTP app: plugins first (hardening, errors, auth, metrics), then one route file per module. */
export async function buildApp(core: Core): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: core.logger.child({ module: 'http' }),
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => newId('req'),
    requestIdHeader: false,
    bodyLimit: core.config.bodyLimitBytes,
    trustProxy: core.config.trustProxy,
    return503OnClosing: true,
    // Malformed requests Node refuses before Fastify sees them (CR/LF in headers) still get a coded answer.
    clientErrorHandler: (_err, socket) => {
      if (socket.writable) {
        socket.end(
          `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(CLIENT_ERROR_BODY)}\r\nConnection: close\r\n\r\n${CLIENT_ERROR_BODY}`,
        );
      }
    },
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  registerHardening(app, { https: core.config.cookieSecure });
  registerErrorHandling(app);
  await app.register(fastifyCookie);
  registerAuth(app, core);
  const registry = registerMetrics(app, core);
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Steward API',
        version: API_VERSION,
        description:
          'Steward looks after your cloud servers. Every error answers `{ error: { code, message, requestId } }`; codes are listed in docs/errors.md.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'steward_session' },
          token: { type: 'http', scheme: 'bearer', description: 'An API token (stw_…) from POST /api/me/tokens' },
        },
      },
      security: [{ session: [] }, { token: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', staticCSP: true });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  systemRoutes(app, core, registry);
  authRoutes(app, core);
  meRoutes(app, core);
  orgRoutes(app, core);
  credentialRoutes(app, core);
  auditRoutes(app, core);
  jobRoutes(app, core);
  serverRoutes(app, core);
  provisioningRoutes(app, core);
  taskRoutes(app, core);
  discoveryRoutes(app, core);
  monitoringRoutes(app, core); // monitoring, logs and detection
  backupRoutes(app, core); // backups and restore
  privacyRoutes(app, core);
  privacyStaffRoutes(app, core);
  billingRoutes(app, core);
  billingStaffRoutes(app, core);
  trustRoutes(app, core);
  termsRoutes(app, core);
  recommendationRoutes(app, core);
  analyticsRoutes(app, core);
  publicPageRoutes(app, core);
  // Access: grants, support, timeline, staff work under grants, the recorded web terminal
  await app.register(fastifyWebsocket, { options: { maxPayload: 256 * 1024 } });
  accessRoutes(app, core);
  staffAccessRoutes(app, core);
  terminalRoutes(app, core);
  consoleRoutes(app);
  return app;
}
