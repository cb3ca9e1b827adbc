import { Link, useParams } from 'react-router';
import { readFacts } from '../../api/facts';
import { Ago } from '../../components/Ago';
import { EmptyState } from '../../components/EmptyState';
import { Loading } from '../../components/Loading';
import { ErrorNotice } from '../../components/ErrorNotice';
import { SubNav } from '../../components/SubNav';
import { useOrg } from '../org/OrgScope';
import { FACT_CATEGORIES } from './facts/factCategories';
import { useFacts } from './queries';
import { useServerPage } from './ServerLayout';

/** The latest facts by category; each category is its own address, so a link can point at one. */
export function FactsPage() {
  const org = useOrg();
  const { server, base } = useServerPage();
  const { category = 'system' } = useParams();
  const facts = useFacts(org.id, server.id);
  const chosen = FACT_CATEGORIES.find((c) => c.id === category);
  if (facts.isPending) return <Loading label="Loading facts" />;
  if (facts.error)
    return <ErrorNotice error={facts.error} title="Facts could not be loaded" onRetry={() => void facts.refetch()} />;
  if (!facts.data)
    return (
      <EmptyState title="Not discovered yet">
        Steward learns about the server with its first discovery, right after the first login.{' '}
        <Link to={base}>See the server’s overview</Link>.
      </EmptyState>
    );
  const data = readFacts(facts.data.facts);
  return (
    <div className="facts-layout">
      <SubNav
        label="Fact categories"
        items={FACT_CATEGORIES.map((c) => ({
          to: `${base}/facts/${c.id}`,
          label: c.label,
          end: true,
          count: c.count?.(data),
        }))}
      />
      <section className="facts-body" aria-labelledby="category-title">
        <h2 id="category-title">{chosen?.label ?? 'Unknown category'}</h2>
        <p className="muted small">
          From the discovery <Ago iso={facts.data.takenAt} />. {chosen?.about}
        </p>
        {chosen ? chosen.render(data) : <EmptyState title="There is no such category" />}
      </section>
    </div>
  );
}
