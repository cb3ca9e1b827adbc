/** Incident e-mail: sent the moment a finding opens an incident, and when a later finding makes it worse. */
import { defineTemplate, layout } from '../notify/templates.js';

defineTemplate('detection.incident_opened', (v) => ({
  subject: `[${v.severity}] Suspicious activity on ${v.server}: ${v.title}`,
  ...layout({
    heading: `Suspicious activity on ${v.server}`,
    paragraphs: [
      v.title ?? '',
      `Seen at ${v.at}. Evidence: ${v.evidence}`,
      v.grant
        ? `Steward opened a time-limited grant for its security team to look (${v.grant}); you can revoke it from the console.`
        : 'Acknowledge or close the incident in the console once you have looked.',
    ],
    action: { label: 'Open the incident', url: v.url ?? '' },
    footer: 'You get this because your organisation lists this address for monitoring alerts.',
  }),
}));

defineTemplate('detection.incident_escalated', (v) => ({
  subject: `[${v.severity}] Incident on ${v.server} got worse: ${v.title}`,
  ...layout({
    heading: `New finding in an open incident on ${v.server}`,
    paragraphs: [v.title ?? '', `Seen at ${v.at}. Evidence: ${v.evidence}`],
    action: { label: 'Open the incident', url: v.url ?? '' },
    footer: 'You get this because your organisation lists this address for monitoring alerts.',
  }),
}));
