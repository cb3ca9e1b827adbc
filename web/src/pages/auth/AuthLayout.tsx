import { useEffect, type ReactNode } from 'react';
import { ThemeToggle } from '../../theme/ThemeToggle';

/** The frame of the signed-out pages: a centred card with the product's name. */
export function AuthLayout({ title, children, footer }: { title: string; children: ReactNode; footer?: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · Steward`;
  }, [title]);
  return (
    <div className="auth-page">
      <div className="auth-theme">
        <ThemeToggle />
      </div>
      <main id="main" className="auth-card">
        <p className="auth-brand">
          <img src="/favicon.svg" alt="" width="32" height="32" />
          <span>Steward</span>
        </p>
        <h1>{title}</h1>
        {children}
      </main>
      {footer && <footer className="auth-footer">{footer}</footer>}
    </div>
  );
}
