/**
 * A live region that is always in the page (so screen readers notice when it changes) and shows its message
 * visibly too: the result of an action that has no other place on the page.
 */
export function LiveStatus({ message }: { message: string }) {
  return (
    <div role="status" aria-live="polite" className={message ? 'notice notice-ok' : 'live-empty'}>
      {message}
    </div>
  );
}
