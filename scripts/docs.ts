import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STATUS_OF_KIND, statusOf } from '../src/api/plugins/errors.js';
import { AUDIT_EVENTS } from '../src/core/audit/audit.events.js';
import { VARIABLES } from '../src/kernel/config.js';
import { ERROR_CODES, type ErrorCode } from '../src/kernel/errors.js';

/** The reference pages generated from the code's own catalogues; a test fails when a page is stale. */

export function errorsPage(): string {
  const rows = (Object.keys(ERROR_CODES) as ErrorCode[]).map(
    (code) => `| \`${code}\` | ${statusOf(code)} | ${ERROR_CODES[code].summary} |`,
  );
  return [
    '# Error codes',
    '',
    'Every error the API returns has the body `{ "error": { "code", "message", "requestId" } }`. The `code` is stable;',
    "the `message` says what to fix and may change. The `requestId` finds the request in Steward's logs. Server",
    'errors (5xx) never include internal details. The CLI prints the message as one line and exits non-zero.',
    '',
    '| Code | HTTP status | Meaning |',
    '| --- | --- | --- |',
    ...rows,
    '',
    `Statuses by kind: ${Object.entries(STATUS_OF_KIND)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    '',
  ].join('\n');
}

export function auditEventsPage(): string {
  const rows = Object.entries(AUDIT_EVENTS).map(([code, doc]) => `| \`${code}\` | ${doc} |`);
  return [
    '# Audit events',
    '',
    'Every entry of the audit log has: `seq` (its position, in the order entries were written; on PostgreSQL a',
    'rolled-back action leaves a gap), `at` (UTC), `org_id`, actor (`actor_type`, `actor_id`), `action` (one of the',
    'codes below), target, `result` (`ok`, `denied`, `failed`), `request_id`, `ip` and `details` (JSON; secrets',
    'appear only as keyed hashes). Entries are written by the services in the same transaction as the change they',
    'record; if the entry cannot be written, the change is refused (503 `STEWARD_AUDIT_UNAVAILABLE`). How entries',
    'are chained, checkpointed and verified (`steward audit verify`): [audit-log.md](audit-log.md).',
    '',
    '| Code | Meaning |',
    '| --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

export function configurationPage(): string {
  const rows = VARIABLES.map(
    (v) =>
      `| \`${v.name}\` | ${v.default === undefined ? (v.secret ? '(none: secret)' : '(unset)') : `\`${v.default}\``} | ${v.doc}${v.secret ? ` Also \`${v.name}_FILE\`.` : ''} |`,
  );
  return [
    '# Configuration',
    '',
    'Steward reads its settings once at start from the environment. A JSON file named by `STEWARD_CONFIG_FILE` may',
    'hold the same settings (keys are the variable names); the environment wins over the file. Secrets can be given',
    'as `<NAME>_FILE`, the path of a file holding the value. No secret has a default.',
    '',
    '| Variable | Default | Meaning |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

export const PAGES: Record<string, () => string> = {
  'docs/errors.md': errorsPage,
  'docs/audit-events.md': auditEventsPage,
  'docs/configuration.md': configurationPage,
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  for (const [path, render] of Object.entries(PAGES)) writeFileSync(join(root, path), render());
  process.stdout.write(`wrote ${Object.keys(PAGES).join(', ')}\n`);
}
