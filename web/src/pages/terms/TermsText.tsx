import type { TermsVersion } from '../../api/types';

/** One version of the terms of service: its title, version, date and text (plain text, paragraphs kept). */
export function TermsText({ terms }: { terms: TermsVersion }) {
  return (
    <article className="stack terms-text" aria-label={`${terms.title}, version ${terms.version}`}>
      <p className="muted">
        Version {terms.version}, published {new Date(terms.publishedAt).toLocaleDateString()}
      </p>
      <div style={{ whiteSpace: 'pre-wrap', maxHeight: '24rem', overflowY: 'auto' }}>{terms.body}</div>
    </article>
  );
}
