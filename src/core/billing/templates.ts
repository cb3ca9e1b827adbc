import { defineTemplate, layout } from '../notify/templates.js';

/** Billing's mails: all transactional (a customer always gets their invoices and reminders). */

defineTemplate('billing.invoice_issued', (v) => ({
  subject: `${v.kind ?? 'Invoice'} ${v.number} from Steward: ${v.total}`,
  ...layout({
    heading: `${v.kind ?? 'Invoice'} ${v.number}`,
    paragraphs: [
      `Hello ${v.name},`,
      v.kind === 'Credit note'
        ? `Here is credit note ${v.number} for ${v.orgName}: ${v.total}, against invoice ${v.credits}.`
        : `Here is invoice ${v.number} for ${v.orgName}, for ${v.period}: ${v.total}, due on ${v.due}.`,
      'The PDF is attached; every invoice is also listed in the console under Billing.',
    ],
    action: { label: 'Open billing', url: v.url ?? '' },
  }),
}));

defineTemplate('billing.invoice_overdue', (v) => ({
  subject: `Invoice ${v.number} is overdue`,
  ...layout({
    heading: `Invoice ${v.number} is overdue`,
    paragraphs: [
      `Hello ${v.name},`,
      `Invoice ${v.number} for ${v.orgName} (${v.total}) was due on ${v.due} and is still unpaid (${v.balance} outstanding).`,
      'Nothing has been deleted or stopped. Our staff will look at the account; if you have paid, reply with the transfer reference.',
    ],
    action: { label: 'Open billing', url: v.url ?? '' },
  }),
}));

defineTemplate('billing.payment_failed', (v) => ({
  subject: `A payment for invoice ${v.number} failed`,
  ...layout({
    heading: 'A payment failed',
    paragraphs: [
      `Hello ${v.name},`,
      `A payment of ${v.amount} for invoice ${v.number} (${v.orgName}) failed: ${v.reason}.`,
      'Please pay the invoice another way; nothing has been deleted or stopped.',
    ],
    action: { label: 'Open billing', url: v.url ?? '' },
  }),
}));
