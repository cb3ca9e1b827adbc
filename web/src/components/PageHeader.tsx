import { useEffect, useRef, type ReactNode } from 'react';

interface Props {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
  badge?: ReactNode;
}

/**
 * The page's heading. It names the browser tab and takes focus when the page opens, so keyboard and screen
 * reader users land on the new page instead of staying on the link they followed.
 */
export function PageHeader({ title, description, actions, badge }: Props) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Steward`;
    heading.current?.focus({ preventScroll: true });
  }, [title]);
  return (
    <header className="page-header">
      <div>
        <h1 ref={heading} tabIndex={-1}>
          {title} {badge}
        </h1>
        {description && <p className="page-description">{description}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}
