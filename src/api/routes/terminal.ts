import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { LiveTerminal, TerminalIo } from '../../core/access/index.js';
import type { Core } from '../../core/core.js';
import { csrfMatches } from '../../core/users/sessions.service.js';
import { AppError } from '../../kernel/errors.js';
import { toAppError } from '../plugins/errors.js';
import { contextOf, requireActor, SESSION_COOKIE } from '../plugins/auth.js';
import { idOf } from '../schemas.js';

/** The first message a terminal client sends; ids and the CSRF token travel here, never in the URL. */
const OpenMessage = z.strictObject({
  type: z.literal('open'),
  csrfToken: z.string().max(200).optional(),
  orgId: idOf('org'),
  serverId: idOf('srv'),
  grantId: idOf('grant').optional(),
  cols: z.number().int().min(1).max(1000),
  rows: z.number().int().min(1).max(1000),
  term: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/)
    .optional(),
});
const LaterMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('input'), data: z.string().max(64 * 1024) }),
  z.strictObject({
    type: z.literal('resize'),
    cols: z.number().int().min(1).max(1000),
    rows: z.number().int().min(1).max(1000),
  }),
  z.strictObject({ type: z.literal('close') }),
]);

const OPEN_TIMEOUT_MS = 10_000;
/** WebSocket close codes: 4001 the grant ended, 4400 a bad message, 4403 refused, 4500 Steward failed. */
const closeCodeFor = (status: number): number =>
  status === 400 ? 4400 : status === 401 || status === 403 || status === 404 || status === 409 ? 4403 : 4500;

/** Pages of Steward's own origin only: the public URL's, or the one the request was addressed to. */
function originAllowed(request: FastifyRequest, publicUrl: string): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return request.actor?.via === 'token'; // browsers always send Origin; API clients use tokens
  const own = new Set([new URL(publicUrl).origin]);
  if (request.headers.host) for (const scheme of ['http', 'https']) own.add(`${scheme}://${request.headers.host}`);
  return own.has(origin);
}

/**
 * The web terminal over a WebSocket: `GET /api/terminal`, authenticated by the session cookie (then the
 * first message carries the CSRF token) or an API token header, from Steward's own origin only. Protocol (JSON
 * text frames): client → `{type:'open',…}`, then `{type:'input',data}`, `{type:'resize',cols,rows}`,
 * `{type:'close'}`; server → `{type:'ready',sessionId,server}`, `{type:'output',data}`,
 * `{type:'closed',reason}`, `{type:'error',code,message}`.
 */
export function terminalRoutes(app: FastifyInstance, core: Core): void {
  app.get(
    '/api/terminal',
    {
      websocket: true,
      preHandler: async (request) => {
        const actor = requireActor(request);
        if (!originAllowed(request, core.config.publicUrl)) {
          await core.audit.recordAlone(
            {
              action: 'access.denied',
              actor: { type: actor.kind === 'staff' ? 'staff' : 'user', id: actor.userId },
              result: 'denied',
              details: { reason: 'origin', origin: String(request.headers.origin ?? 'none').slice(0, 200) },
            },
            contextOf(request),
          );
          throw new AppError('STEWARD_ORIGIN_NOT_ALLOWED', 'Open the terminal from Steward’s own pages.');
        }
      },
    },
    (socket, request) => {
      const actor = requireActor(request);
      const ctx = contextOf(request);
      let session: LiveTerminal | undefined;
      let opening = false;
      let gone = false;
      const io: TerminalIo = {
        send: (message) => {
          if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
        },
        close: (reason) => {
          if (socket.readyState === socket.OPEN)
            socket.close(reason.startsWith('grant_') ? 4001 : 1000, reason.slice(0, 100));
        },
      };
      const fail = (err: unknown) => {
        const e = toAppError(err);
        const status =
          e.kind === 'invalid_input'
            ? 400
            : e.kind === 'unauthenticated'
              ? 401
              : e.kind === 'forbidden'
                ? 403
                : e.kind === 'not_found'
                  ? 404
                  : e.kind === 'conflict'
                    ? 409
                    : 500;
        if (status === 500) request.log.error({ code: e.code, err: (err as Error)?.message }, 'terminal failed');
        io.send({
          type: 'error',
          code: e.code,
          message: status === 500 ? 'The terminal failed inside Steward.' : e.message,
        } as never);
        if (socket.readyState === socket.OPEN) socket.close(closeCodeFor(status), e.code);
      };
      const timer = setTimeout(
        () => fail(new AppError('STEWARD_INVALID_INPUT', 'Send {"type":"open",…} first.')),
        OPEN_TIMEOUT_MS,
      );

      socket.on('message', (raw: Buffer) => {
        void (async () => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(raw.toString('utf8'));
          } catch {
            return fail(new AppError('STEWARD_MALFORMED_JSON', 'Terminal messages are JSON objects.'));
          }
          if (!session) {
            if (opening) return;
            opening = true;
            clearTimeout(timer);
            const open = OpenMessage.safeParse(parsed);
            if (!open.success)
              return fail(
                new AppError(
                  'STEWARD_INVALID_INPUT',
                  `The open message is invalid: ${open.error.issues[0]?.path.join('.') ?? ''} ${open.error.issues[0]?.message ?? ''}`.trim(),
                ),
              );
            if (actor.via === 'session') {
              const cookie = request.cookies[SESSION_COOKIE] ?? '';
              if (!open.data.csrfToken || !csrfMatches(cookie, open.data.csrfToken))
                return fail(
                  new AppError('STEWARD_CSRF', 'Send the session’s CSRF token as csrfToken in the open message.'),
                );
            }
            try {
              const { orgId, serverId, grantId, cols, rows, term } = open.data;
              session = await core.access.terminal.openSession(
                actor,
                { orgId, serverId, cols, rows, ...(grantId ? { grantId } : {}), ...(term ? { term } : {}) },
                io,
                ctx,
              );
              if (gone) await session.close('disconnected');
            } catch (err) {
              fail(err);
            }
            return;
          }
          const msg = LaterMessage.safeParse(parsed);
          if (!msg.success)
            return fail(new AppError('STEWARD_INVALID_INPUT', 'Terminal messages are input, resize or close.'));
          if (msg.data.type === 'input') session.input(msg.data.data);
          else if (msg.data.type === 'resize') session.resize(msg.data.cols, msg.data.rows);
          else await session.close('closed');
        })().catch(fail);
      });
      socket.on('close', () => {
        gone = true;
        clearTimeout(timer);
        void session?.close('disconnected');
      });
    },
  );
}
