import type { ReactNode } from 'react';

/** A form-level message for success, announced politely to screen readers. */
export function Success({ children }: { children: ReactNode }) {
  return (
    <p className="notice notice-ok" role="status">
      {children}
    </p>
  );
}
