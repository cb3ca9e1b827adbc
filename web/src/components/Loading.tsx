/** A loading state that assistive technology announces (role=status), for pages and sections alike. */
export function Loading({ label = 'Loading', fullPage = false }: { label?: string; fullPage?: boolean }) {
  return (
    <div className={fullPage ? 'loading loading-page' : 'loading'} role="status">
      <span className="spinner" aria-hidden="true" />
      <span>{label}…</span>
    </div>
  );
}
