import PDFDocument from 'pdfkit';
import type { BillingContact, InvoiceView } from './billing.types.js';
import { displayMoney } from './money.js';
import { toMinor } from './billing.rules.js';
import { currencyExponent } from './money.js';

/**
 * Renders an invoice or credit note to PDF with pdfkit and its built-in Helvetica (no font files, no network).
 * Everything printed comes from the stored document, so a PDF rendered today reads the same as the one mailed at
 * issue. The creation date is the issue date, so the same document always gives the same text.
 */
export function renderInvoicePdf(input: {
  invoice: InvoiceView;
  billTo: (BillingContact & { country: string }) | null;
  seller: string;
  creditsNumber: string | null;
}): Promise<Buffer> {
  const { invoice } = input;
  const exponent = currencyExponent(invoice.currency);
  const money = (text: string) => displayMoney(toMinor(text, exponent), invoice.currency);
  const title = invoice.kind === 'credit_note' ? 'Credit note' : 'Invoice';
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: { Title: `${title} ${invoice.number}`, Author: 'Steward', CreationDate: new Date(invoice.issuedAt) },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.font('Helvetica-Bold').fontSize(20).text(`${title} ${invoice.number}`);
  doc.moveDown(0.5).font('Helvetica').fontSize(10);
  for (const line of input.seller.split('\n')) doc.text(line);
  doc.moveDown();
  doc.font('Helvetica-Bold').text('Bill to');
  doc.font('Helvetica');
  if (input.billTo) {
    doc.text(input.billTo.name);
    for (const line of input.billTo.addressLines) doc.text(line);
    doc.text(input.billTo.country);
    if (input.billTo.taxId) doc.text(`Tax id: ${input.billTo.taxId}`);
  } else {
    doc.text(`Organisation ${invoice.orgId}`);
  }
  doc.moveDown();
  const lastDay = new Date(Date.parse(invoice.periodEnd) - 1).toISOString().slice(0, 10);
  doc.text(`Period: ${invoice.period} (${invoice.periodStart.slice(0, 10)} to ${lastDay})`);
  doc.text(`Issued: ${invoice.issuedAt.slice(0, 10)}`);
  if (invoice.kind === 'invoice') doc.text(`Due: ${invoice.dueAt.slice(0, 10)}`);
  if (input.creditsNumber) doc.text(`Credits invoice ${input.creditsNumber}`);
  if (invoice.note) doc.text(`Note: ${invoice.note}`);
  doc.moveDown();

  const cols = { description: 50, quantity: 262, unit: 350, amount: 470 };
  const row = (cells: [string, string, string, string], bold = false) => {
    const y = doc.y;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(9);
    doc.text(cells[0], cols.description, y, { width: 205 });
    const endY = doc.y;
    doc.text(cells[1], cols.quantity, y, { width: 85 });
    doc.text(cells[2], cols.unit, y, { width: 115 });
    doc.text(cells[3], cols.amount, y, { width: 75, align: 'right' });
    doc.y = Math.max(endY, doc.y) + 4;
    doc.x = cols.description;
  };
  row(['Description', 'Quantity', 'Unit price', 'Amount'], true);
  for (const l of invoice.lines) row([l.description, l.quantity, l.unitPrice, money(l.amount)]);
  doc.moveDown();
  row(['Subtotal', '', '', money(invoice.subtotal)]);
  row([`${invoice.taxLabel} (${invoice.taxPercent}%, ${invoice.taxCountry})`, '', '', money(invoice.tax)]);
  row(['Total', '', '', money(invoice.total)], true);
  if (invoice.kind === 'invoice') row(['Balance due', '', '', money(invoice.balance)], true);
  if (invoice.usage) {
    doc.moveDown();
    doc.font('Helvetica-Bold').text('Usage in the period', cols.description);
    doc.font('Helvetica');
    doc.text(`Server-hours under management: ${invoice.usage.serverHours}`);
    doc.text(`Instance-hours (not yet servers): ${invoice.usage.instanceHours}`);
    doc.text(`Monitored server-hours: ${invoice.usage.monitoredServerHours}`);
    doc.text(`Backup storage: ${invoice.usage.backupGibMonths} GiB-months`);
    doc.text(`Hours metered: ${invoice.usage.meteredHours}`);
  }
  doc.end();
  return done;
}
