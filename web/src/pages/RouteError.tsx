import { isRouteErrorResponse, Link, useRouteError } from 'react-router';

/** Last resort when a page fails to render: say so plainly and offer a way back, rather than a blank screen. */
export function RouteError() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : 'Unknown error';
  return (
    <main id="main" className="auth-page">
      <div className="auth-card">
        <h1>Something went wrong in the console</h1>
        <p>The page could not be shown: {message}</p>
        <p>Reload the page to try again. If it keeps happening, tell the operator what you were doing.</p>
        <p>
          <Link to="/">Go to the start</Link>
        </p>
      </div>
    </main>
  );
}
