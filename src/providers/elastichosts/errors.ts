import {
  InvalidCredentialsError,
  NotFoundError,
  ProviderUnavailableError,
  RateLimitedError,
  RequestRejectedError,
  type ProviderError,
  type ProviderErrorContext,
} from '../errors.js';

/** An error answer: status, the `X-Elastic-Error` header and the plain-text description. */
export interface ElasticErrorAnswer {
  readonly status: number;
  readonly header: string | undefined;
  readonly body: string;
}

function describe(body: string): string {
  // Descriptions may start with `errors:<type>` (recorded from CloudSigma); the text after it is what a person needs.
  return body
    .replace(/^errors:\S*\s*/i, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

/**
 * Classifies an error answer: by the `X-Elastic-Error` header first, then the status, then the text (a 400
 * saying "could not be found" is a missing object, as the platform sometimes answers).
 */
export function mapElasticError(answer: ElasticErrorAnswer, operation: string): ProviderError {
  const header = answer.header?.trim().toLowerCase();
  const text = describe(answer.body);
  const ctx: ProviderErrorContext = {
    provider: 'elastichosts',
    operation,
    status: answer.status,
    providerCode: header,
  };
  const status = `HTTP ${answer.status}${header === undefined ? '' : `, X-Elastic-Error: ${header}`}`;
  const said = `${operation}: ${status}${text === '' ? '' : ` (${text})`}`;

  // The answer's text is left out here: nothing about a refused login needs echoing.
  if (header === 'auth' || answer.status === 401) {
    return new InvalidCredentialsError(`ElasticHosts rejected the user UUID and secret API key (${status}).`, ctx);
  }
  if (
    header === 'missing' ||
    answer.status === 404 ||
    (answer.status === 400 && /could not be found/i.test(answer.body))
  ) {
    return new NotFoundError(`ElasticHosts does not know the object in ${said}.`, ctx);
  }
  if (answer.status === 429) return new RateLimitedError(`ElasticHosts kept throttling ${said}.`, ctx);
  if (header === 'billing' || answer.status === 402) {
    return new RequestRejectedError(
      `ElasticHosts refused ${said}: the account balance or subscriptions do not cover it.`,
      ctx,
    );
  }
  if (header === 'system' || header === 'failed' || header === 'full' || answer.status >= 500) {
    return new ProviderUnavailableError(`ElasticHosts failed ${said}.`, ctx);
  }
  if (answer.status >= 300 && answer.status < 400) {
    return new ProviderUnavailableError(
      `ElasticHosts answered ${operation} with a redirect (HTTP ${answer.status}), which is never followed.`,
      ctx,
    );
  }
  return new RequestRejectedError(`ElasticHosts rejected ${said}.`, ctx);
}
