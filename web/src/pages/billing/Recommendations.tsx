import { Link } from 'react-router';
import { useRecommendations } from './queries';

/**
 * Suggestions personal to the member, shown only when they consented; otherwise the API computed nothing and this
 * shows only how to turn them on.
 */
export function Recommendations({ orgId }: { orgId: string }) {
  const rec = useRecommendations(orgId);
  if (!rec.data) return null;
  if (!rec.data.consented)
    return (
      <p className="muted section">
        Personalised recommendations are off. <Link to="/privacy">Turn them on in the privacy centre</Link>.
      </p>
    );
  return (
    <section className="section card stack" aria-labelledby="recommendations">
      <h2 id="recommendations">Recommended for you</h2>
      {rec.data.items.length === 0 ? (
        <p className="muted">Nothing to suggest right now.</p>
      ) : (
        <ul>
          {rec.data.items.map((i) => (
            <li key={`${i.kind}:${i.title}`}>
              <strong>{i.title}</strong>. {i.detail}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
