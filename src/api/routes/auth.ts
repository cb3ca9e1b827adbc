import type { FastifyInstance } from 'fastify';
import type { Actor } from '../../core/actor.js';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Core } from '../../core/core.js';
import { csrfTokenFor } from '../../core/users/sessions.service.js';
import { CHECK_YOUR_MAIL } from '../../core/users/signup.service.js';
import { Secret } from '../../kernel/secret.js';
import { clearSessionCookie, contextOf, requireActor, SESSION_COOKIE, setSessionCookie } from '../plugins/auth.js';
import { email, errors, password, phone, text, totpCode } from '../schemas.js';
import { ProfileSchema, profileView } from './me.js';

const SignUp = z.strictObject({
  email,
  password,
  name: text(200),
  phone: phone.optional(),
  orgName: text(100),
  acceptTerms: z
    .string()
    .min(1)
    .max(40)
    .optional()
    .describe(
      'The version of the terms of service shown and accepted (GET /api/terms); needed once terms are published',
    ),
});
const SignIn = z.strictObject({ email, password, totpCode: totpCode.optional() });
const SignUpOut = z.object({ status: z.literal('confirmation_sent'), message: z.string() });
const SessionOut = z.object({
  user: ProfileSchema,
  csrfToken: z.string(),
  orgs: z.array(z.object({ id: z.string(), name: z.string(), role: z.enum(['owner', 'member']) })),
  /** What the person must do before using Steward (the console sends them there). */
  pending: z.object({ undertaking: z.boolean(), terms: z.boolean() }).optional(),
});

/** Sign-up (asked, then confirmed by the mailed link), sign-in and sign-out. Sessions are httpOnly SameSite=Strict cookies; the CSRF token comes in the body. */
export function authRoutes(app: FastifyInstance, core: Core): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const secure = core.config.cookieSecure;

  /** What the person must do before anything else: accept the staff undertaking, or changed terms. */
  const pendingOf = async (actor: Actor) => ({
    undertaking: actor.kind === 'staff' && !(await core.privacy.undertakings.hasAcceptedCurrent(actor.userId)),
    terms: actor.kind === 'customer' && (await core.privacy.terms.isHeld(actor.userId)),
  });

  r.post(
    '/api/auth/signup',
    {
      schema: {
        tags: ['auth'],
        summary:
          'Ask for an account and its first organisation: a link to confirm the address is mailed (the answer is the same for an address that already has an account)',
        body: SignUp,
        response: { 202: SignUpOut, ...errors },
      },
    },
    async (request, reply) => {
      const b = request.body;
      await core.signup.requestSignUp(
        {
          email: b.email,
          password: new Secret(b.password),
          name: b.name,
          phone: b.phone ?? null,
          orgName: b.orgName,
          termsVersion: b.acceptTerms ?? null,
        },
        contextOf(request),
      );
      return reply.code(202).send({ status: 'confirmation_sent' as const, message: CHECK_YOUR_MAIL });
    },
  );

  r.post(
    '/api/auth/confirm',
    {
      schema: {
        tags: ['auth'],
        summary: 'Confirm the address with the token from the mailed link: the account and organisation are created',
        body: z.strictObject({ token: z.string().min(20).max(100) }),
        response: { 200: z.object({ status: z.literal('confirmed'), email: z.string() }), ...errors },
      },
    },
    async (request) => {
      const out = await core.signup.confirmSignUp(request.body.token, contextOf(request));
      return { status: 'confirmed' as const, email: out.email };
    },
  );

  r.post(
    '/api/auth/signin',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in (with a one-time code when the account has one)',
        body: SignIn,
        response: { 200: SessionOut, ...errors },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const { session, actor } = await core.sessions.signIn(
        { email: b.email, password: new Secret(b.password), totpCode: b.totpCode },
        contextOf(request),
      );
      setSessionCookie(reply, session.token, session.expiresAt, secure);
      const [profile, orgs] = await Promise.all([core.users.getProfile(actor.userId), core.orgs.listMyOrgs(actor)]);
      return { user: profileView(profile), csrfToken: session.csrfToken, orgs, pending: await pendingOf(actor) };
    },
  );

  r.get(
    '/api/auth/session',
    {
      config: { allowDuringEnrolment: true },
      schema: {
        tags: ['auth'],
        summary: 'The signed-in person, their organisations and the CSRF token',
        response: { 200: SessionOut, ...errors },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const [profile, orgs] = await Promise.all([core.users.getProfile(actor.userId), core.orgs.listMyOrgs(actor)]);
      const cookie = request.cookies[SESSION_COOKIE];
      return {
        user: profileView(profile),
        csrfToken: actor.via === 'session' && cookie ? csrfTokenFor(cookie) : '',
        orgs,
        pending: await pendingOf(actor),
      };
    },
  );

  r.post(
    '/api/auth/signout',
    {
      config: { allowDuringEnrolment: true },
      schema: { tags: ['auth'], summary: 'End this session on the server', response: { 204: z.null(), ...errors } },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      await core.sessions.signOut(actor, contextOf(request));
      clearSessionCookie(reply, secure);
      return reply.code(204).send(null);
    },
  );
}
