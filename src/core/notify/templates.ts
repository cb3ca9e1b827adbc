/**
 * E-mail templates: each turns its variables into a subject, a plain-text body and an HTML body. Variables are
 * escaped for HTML here, so a name or a host name can never inject markup into a mail.
 */

export interface RenderedMail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export type Template = (vars: Readonly<Record<string, string>>) => RenderedMail;

export const escapeHtml = (value: string): string =>
  value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

/** One layout for every mail: a heading, paragraphs, an optional button and footer. */
export function layout(input: {
  heading: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  footer?: string;
}): { text: string; html: string } {
  const text = [
    input.heading,
    '',
    ...input.paragraphs.flatMap((p) => [p, '']),
    ...(input.action ? [`${input.action.label}: ${input.action.url}`, ''] : []),
    ...(input.footer ? ['--', input.footer] : []),
  ].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1b1f24;max-width:36rem;margin:auto">',
    `<h1 style="font-size:1.25rem">${escapeHtml(input.heading)}</h1>`,
    ...input.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    ...(input.action
      ? [
          `<p><a href="${escapeHtml(input.action.url)}" style="display:inline-block;padding:.5rem 1rem;background:#1f6feb;color:#fff;border-radius:6px;text-decoration:none">${escapeHtml(input.action.label)}</a></p>`,
        ]
      : []),
    ...(input.footer ? [`<hr><p style="font-size:.85rem;color:#57606a">${escapeHtml(input.footer)}</p>`] : []),
    '</body></html>',
  ].join('\n');
  return { text, html };
}

const registry = new Map<string, Template>();

/** Modules add their templates at start-up; names are `module.event`. */
export function defineTemplate(name: string, template: Template): void {
  registry.set(name, template);
}

export function templateNamed(name: string): Template | undefined {
  return registry.get(name);
}

defineTemplate('account.welcome', (v) => ({
  subject: 'Welcome to Steward',
  ...layout({
    heading: `Welcome, ${v.name}`,
    paragraphs: [`Your organisation ${v.orgName} is ready. Add a server or connect a cloud account to begin.`],
    action: { label: 'Open Steward', url: v.url ?? '' },
  }),
}));
