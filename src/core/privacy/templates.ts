import { defineTemplate, escapeHtml, layout, type RenderedMail } from '../notify/templates.js';

/**
 * The privacy centre's mails. Promotional ones (promotion, partner offer, referral) end with the unsubscribe
 * link that the List-Unsubscribe header also carries; transactional ones (policy change, transfer notice) are
 * sent to everyone concerned, whatever their marketing choices, because the law and the policy require them.
 */

function promotional(input: {
  subject: string;
  heading: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  why: string;
  unsubscribeUrl: string;
}): RenderedMail {
  const base = layout({ heading: input.heading, paragraphs: input.paragraphs, action: input.action });
  const text = `${base.text}\n--\n${input.why}\nUnsubscribe with one click: ${input.unsubscribeUrl}\n`;
  const footer = `<hr><p style="font-size:.85rem;color:#57606a">${escapeHtml(input.why)} <a href="${escapeHtml(input.unsubscribeUrl)}">Unsubscribe</a></p>`;
  return { subject: input.subject, text, html: base.html.replace('</body></html>', `${footer}\n</body></html>`) };
}

defineTemplate('privacy.promotion', (v) =>
  promotional({
    subject: v.subject ?? 'News from Steward',
    heading: v.subject ?? 'News from Steward',
    paragraphs: (v.body ?? '').split(/\n{2,}/),
    why: 'You get this because you agreed to news and offers from Steward.',
    unsubscribeUrl: v.unsubscribeUrl ?? '',
  }),
);

defineTemplate('privacy.partner_offer', (v) =>
  promotional({
    subject: v.subject ?? 'An offer from a Steward partner',
    heading: v.subject ?? 'An offer from a Steward partner',
    paragraphs: (v.body ?? '').split(/\n{2,}/),
    why: 'You get this because you agreed to partner offers sent by Steward. Partners never get your address.',
    unsubscribeUrl: v.unsubscribeUrl ?? '',
  }),
);

defineTemplate('privacy.referral', (v) =>
  promotional({
    subject: `${v.referrerName ?? 'A friend'} invites you to Steward`,
    heading: `${v.referrerName ?? 'A friend'} thinks you would like Steward`,
    paragraphs: [
      'Steward looks after cloud servers: sealed credentials, and staff who touch your servers only with your consent.',
      `${v.referrerName ?? 'Your friend'} asked us to send you this one invitation. We will not write again unless you sign up.`,
    ],
    action: { label: 'Have a look', url: v.url ?? '' },
    why: 'A Steward member gave us your address for this invitation only.',
    unsubscribeUrl: v.unsubscribeUrl ?? '',
  }),
);

defineTemplate('privacy.policy_changed', (v) => ({
  subject: `Steward's privacy policy changes (version ${v.version})`,
  ...layout({
    heading: `Our privacy policy changes: version ${v.version}`,
    paragraphs: [
      `Hello ${v.name},`,
      `We published version ${v.version} of Steward's privacy policy, "${v.title}". What changes:`,
      v.changes ?? '',
      'The console shows a notice until you acknowledge it.',
    ],
    action: { label: 'Read the policy', url: v.url ?? '' },
    footer: 'You get this mail because you have a Steward account; it is not marketing.',
  }),
}));

defineTemplate('privacy.transfer_notice', (v) => ({
  subject: 'Notice: your data will move to a new owner of Steward',
  ...layout({
    heading: 'Your personal data is to be transferred',
    paragraphs: [
      `Hello ${v.name},`,
      `As part of a merger or acquisition, the personal data Steward holds about you is to be transferred to ${v.recipient}.`,
      v.description ?? '',
      'Nothing moves before everyone concerned has received this notice. You can export your data or delete your account before the transfer from the privacy centre.',
    ],
    action: { label: 'Open the privacy centre', url: v.url ?? '' },
    footer: 'You get this mail because the law requires us to tell you; it is not marketing.',
  }),
}));

defineTemplate('privacy.terms_changed', (v) => ({
  subject: `Our terms of service changed: ${v.title} (version ${v.version})`,
  ...layout({
    heading: 'Our terms of service changed',
    paragraphs: [
      `Hello ${v.name},`,
      `We published version ${v.version} of the ${v.title}. What changed: ${v.changes}`,
      'The next time you sign in, Steward will ask you to read and accept it.',
    ],
    action: { label: 'Read the terms', url: v.url ?? '' },
  }),
}));
