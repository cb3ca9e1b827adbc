import type { components } from '../../api/schema';
import { Badge } from '../../components/Badge';
import type { Column } from '../../components/SimpleTable';

type InvoiceLike = Pick<
  components['schemas']['Invoice'],
  'id' | 'number' | 'period' | 'total' | 'balance' | 'currency' | 'kind' | 'status'
>;

/**
 * The columns every list of invoices shows, the customer's and the operator's: number, period, total, what is
 * owed, status and the PDF (`pdfPath` is the route that serves it to the reader). `middle` go after the number.
 */
export function invoiceColumns<T extends InvoiceLike>(
  pdfPath: (invoice: T) => string,
  middle: Column<T>[] = [],
): Column<T>[] {
  return [
    { header: 'Number', rowHeader: true, cell: (i) => i.number },
    ...middle,
    { header: 'Period', cell: (i) => i.period },
    { header: 'Total', cell: (i) => `${i.total} ${i.currency}` },
    { header: 'Owed', cell: (i) => (i.kind === 'invoice' ? `${i.balance} ${i.currency}` : '—') },
    {
      header: 'Status',
      cell: (i) => (
        <Badge tone={i.status === 'open' ? 'warn' : 'ok'}>{i.kind === 'credit_note' ? 'credit note' : i.status}</Badge>
      ),
    },
    {
      header: 'PDF',
      cell: (i) => (
        <a href={pdfPath(i)} download={`${i.number}.pdf`}>
          Download {i.number}
        </a>
      ),
    },
  ];
}
