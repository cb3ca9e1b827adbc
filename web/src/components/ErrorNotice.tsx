import { isApiError, nextStepFor } from '../api/errors';
import { Button } from './Button';

interface Props {
  error: unknown;
  title?: string;
  onRetry?: () => void;
}

/** An API failure in words: what Steward said, what to do next, and the request id the operator can look up. */
export function ErrorNotice({ error, title = 'That did not work', onRetry }: Props) {
  if (!error) return null;
  const apiError = isApiError(error) ? error : undefined;
  const message = apiError?.message ?? (error instanceof Error ? error.message : String(error));
  const next = apiError ? nextStepFor(apiError) : undefined;
  return (
    <div className="notice notice-error" role="alert">
      <p className="notice-title">{title}</p>
      <p>{message}</p>
      {next && <p>{next}</p>}
      {apiError?.requestId && (
        <p className="notice-meta">
          Request id <code>{apiError.requestId}</code>
        </p>
      )}
      {onRetry && (
        <Button variant="secondary" onClick={onRetry}>
          Try again
        </Button>
      )}
    </div>
  );
}
