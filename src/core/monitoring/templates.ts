/** Alert e-mail: one when a rule starts firing on a server, one when it clears. Values are escaped by the layout. */
import { defineTemplate, layout } from '../notify/templates.js';

defineTemplate('monitoring.alert_fired', (v) => ({
  subject: `[${v.severity}] ${v.server}: ${v.rule}`,
  ...layout({
    heading: `${v.server}: ${v.rule}`,
    paragraphs: [
      `Since ${v.since}: ${v.condition}.`,
      v.value
        ? `Latest value: ${v.value}${v.subject ? ` (${v.subject})` : ''}.`
        : `What Steward saw: ${v.subject || 'no answer'}.`,
      'You will get one more message when it clears.',
    ],
    action: { label: 'Open the server in Steward', url: v.url ?? '' },
    footer: 'You get this because your organisation lists this address for monitoring alerts.',
  }),
}));

defineTemplate('monitoring.alert_resolved', (v) => ({
  subject: `[resolved] ${v.server}: ${v.rule}`,
  ...layout({
    heading: `Resolved: ${v.server}: ${v.rule}`,
    paragraphs: [`The condition (${v.condition}) cleared at ${v.at}; it had held since ${v.since}.`],
    action: { label: 'Open the server in Steward', url: v.url ?? '' },
    footer: 'You get this because your organisation lists this address for monitoring alerts.',
  }),
}));
