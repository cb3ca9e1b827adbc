import { Link } from 'react-router';
import { SoonBadge } from '../../components/SoonBadge';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';
import type { Area } from '../../layout/nav';

/** An area whose capability has not landed: says what it will do, and shows no invented data. */
export function Coming({ area, backTo }: { area: Area; backTo: string }) {
  return (
    <>
      <PageHeader title={area.label} badge={<SoonBadge />} description={area.coming?.summary} />
      <EmptyState title="Not available yet">
        <p>{area.coming?.promise}</p>
        <p>This page will fill in when Steward gains this capability; until then nothing here is live.</p>
        <p>
          <Link to={backTo}>Back to the overview</Link>
        </p>
      </EmptyState>
    </>
  );
}
