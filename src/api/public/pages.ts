import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Core } from '../../core/core.js';
import { isAppError } from '../../kernel/errors.js';
import { SESSION_COOKIE } from '../plugins/auth.js';
import { CONSOLE_CSP } from '../routes/console.js';

const escape = (v: string): string =>
  v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const PURPOSE_LABEL: Record<string, string> = {
  promotions: 'news and offers from Steward',
  partner_offers: 'offers from Steward’s partners',
  analytics: 'analytics',
  referrals: 'invitations sent on behalf of Steward members',
};

/** A small page of Steward's own: its stylesheet and (where counting is welcome) the consent banner script. */
function page(title: string, body: string, options: { analytics: boolean }): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${escape(title)} · Steward</title>`,
    '<link rel="stylesheet" href="/analytics/steward.css">',
    options.analytics ? '<script src="/analytics/steward.js" defer></script>' : '',
    `</head><body class="stw-body"><main class="stw-page">${body}</main></body></html>`,
  ].join('\n');
}

const send = (reply: FastifyReply, status: number, html: string) =>
  reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('content-security-policy', CONSOLE_CSP)
    .header('cache-control', 'no-store')
    .send(html);

/**
 * Steward's public pages: the privacy policy (with its text download and the consent banner) and the unsubscribe
 * page behind every promotional mail's link. The unsubscribe link works without a session: GET shows a button
 * (link scanners that prefetch GETs unsubscribe no one), POST unsubscribes, which is also what a mail client's
 * one-click unsubscribe (RFC 8058) sends.
 */
export function publicPageRoutes(app: FastifyInstance, core: Core): void {
  const open = { allowDuringEnrolment: true };
  const hidden = { hide: true };

  app.get('/legal/privacy', { config: open, schema: hidden }, async (_request, reply) => {
    const policy = await core.privacy.policies.current();
    const body = policy
      ? [
          `<h1>${escape(policy.title)}</h1>`,
          `<p class="stw-meta">Version ${escape(policy.version)}, published ${escape(policy.publishedAt.slice(0, 10))}</p>`,
          ...policy.body.split(/\n{2,}/).map((p) => `<p>${escape(p)}</p>`),
          '<p><a href="/legal/privacy.txt" download>Download this policy as text</a> · <a href="#" data-steward-consent>Cookie choices</a></p>',
        ].join('\n')
      : '<h1>Privacy policy</h1><p>No privacy policy has been published yet.</p><p><a href="#" data-steward-consent>Cookie choices</a></p>';
    return send(reply, 200, page('Privacy policy', body, { analytics: true }));
  });

  app.get('/legal/privacy.txt', { config: open, schema: hidden }, async (_request, reply) => {
    const policy = await core.privacy.policies.current();
    const text = policy
      ? `${policy.title}\nVersion ${policy.version}, published ${policy.publishedAt}\n\n${policy.body}\n`
      : 'No privacy policy has been published yet.\n';
    return reply
      .type('text/plain; charset=utf-8')
      .header('content-disposition', 'attachment; filename="steward-privacy-policy.txt"')
      .send(text);
  });

  void app.register(async (scope) => {
    // Mail clients post the one-click form encoded; the body's content does not matter, the token does.
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 4096 },
      (_req, body, done) => done(null, String(body)),
    );
    const tokenOf = (query: unknown): string =>
      typeof (query as { token?: unknown }).token === 'string' ? (query as { token: string }).token : '';
    const invalid = (reply: FastifyReply) =>
      send(
        reply,
        400,
        page(
          'Unsubscribe',
          '<h1>This link does not work</h1><p>The unsubscribe link is damaged or incomplete. Open it from the e-mail exactly as it is, or change your choices in Steward’s privacy centre.</p>',
          { analytics: false },
        ),
      );

    scope.get('/unsubscribe', { config: open, schema: hidden }, async (request, reply) => {
      const token = tokenOf(request.query);
      let purpose: string;
      try {
        purpose = core.privacy.communications.checkUnsubscribe(token);
      } catch (err) {
        if (isAppError(err) && err.code === 'STEWARD_UNSUBSCRIBE_INVALID') return invalid(reply);
        throw err;
      }
      const what = escape(PURPOSE_LABEL[purpose] ?? purpose);
      return send(
        reply,
        200,
        page(
          'Unsubscribe',
          [
            `<h1>Unsubscribe from ${what}?</h1>`,
            purpose === 'referrals'
              ? '<p>You will not get any invitation or promotional mail from Steward again.</p>'
              : `<p>Steward will stop sending you ${what}. Mails about your account keep coming.</p>`,
            `<form method="post" action="/unsubscribe?token=${encodeURIComponent(token)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
          ].join('\n'),
          { analytics: false },
        ),
      );
    });

    // The token is the authority here, not a session: a signed-in browser posting the form must not be asked
    // for the console's CSRF token, so the session cookie is set aside before the auth plugin sees it.
    const ignoreSession = async (request: { cookies: Record<string, string | undefined> }) =>
      void delete request.cookies[SESSION_COOKIE];
    scope.post(
      '/unsubscribe',
      { config: open, schema: hidden, preValidation: ignoreSession },
      async (request, reply) => {
        try {
          const { purpose } = await core.privacy.communications.unsubscribe(tokenOf(request.query), {
            requestId: String(request.id),
            ip: request.ip,
            userAgent: request.headers['user-agent'],
          });
          return send(
            reply,
            200,
            page(
              'Unsubscribed',
              `<h1>You are unsubscribed</h1><p>Steward will not send you ${escape(PURPOSE_LABEL[purpose] ?? purpose)} any more.</p>`,
              { analytics: false },
            ),
          );
        } catch (err) {
          if (isAppError(err) && err.code === 'STEWARD_UNSUBSCRIBE_INVALID') return invalid(reply);
          throw err;
        }
      },
    );
  });
}
