/** Backup e-mail: a failed or late backup, a repository that failed its check. Values are escaped by the layout. */
import { defineTemplate, layout } from '../notify/templates.js';

const footer = 'You get this because your organisation lists this address for monitoring alerts.';

defineTemplate('backups.failed', (v) => ({
  subject: `[backup failed] ${v.server}: ${v.plan}`,
  ...layout({
    heading: `${v.server}: the backup “${v.plan}” failed`,
    paragraphs: [
      `At ${v.at}: ${v.message}`,
      'No restore point was written by this run; the earlier ones are untouched. Steward tries again at the next scheduled time.',
    ],
    action: { label: 'Open the server’s backups', url: v.url ?? '' },
    footer,
  }),
}));

defineTemplate('backups.late', (v) => ({
  subject: `[backup late] ${v.server}: ${v.plan}`,
  ...layout({
    heading: `${v.server}: no good backup of “${v.plan}” since ${v.since}`,
    paragraphs: [`The plan runs every ${v.every}; the last good restore point is older than two intervals.`],
    action: { label: 'Open the server’s backups', url: v.url ?? '' },
    footer,
  }),
}));

defineTemplate('backups.check_failed', (v) => ({
  subject: `[backup check failed] ${v.repository}`,
  ...layout({
    heading:
      v.damaged === 'no'
        ? `The backup repository “${v.repository}” could not be checked`
        : `The backup repository “${v.repository}” failed its check`,
    paragraphs: [
      `At ${v.at}: ${v.message}`,
      v.damaged === 'no'
        ? 'Its restore points were not verified this time; the next check tries again.'
        : 'Restore points in it may not be readable. Look at the repository before relying on it.',
    ],
    action: { label: 'Open backups', url: v.url ?? '' },
    footer,
  }),
}));
