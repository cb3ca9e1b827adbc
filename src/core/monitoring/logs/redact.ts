/**
 * Log lines are stored in clear (to be searchable), so what commonly leaks into them is cut first: passwords
 * in URLs and command lines (discovery's patterns), tokens in query strings (reset links in access logs) and
 * Authorization headers.
 */
import { redactArgs } from '../../discovery/collect/index.js';

const QUERY_SECRET =
  /([?&;](?:access_token|refresh_token|id_token|token|api_?key|apikey|key|password|passwd|pass|pwd|secret|signature|sig|auth|code|session|sid)=)[^&\s"';]+/gi;
const AUTH_HEADER = /(authorization:?\s*(?:bearer|basic|token)\s+)[A-Za-z0-9._~+/=-]+/gi;

export function redactLogLine(line: string): string {
  return redactArgs(line).replace(QUERY_SECRET, '$1[redacted]').replace(AUTH_HEADER, '$1[redacted]');
}
