import { defineTemplate, layout } from '../notify/templates.js';

/** Mails to an organisation's members at each step of a suspension (transactional: they must know). */

defineTemplate('trust.suspended', (v) => ({
  subject: `${v.orgName} is suspended`,
  ...layout({
    heading: `${v.orgName} is suspended`,
    paragraphs: [
      `Hello ${v.name},`,
      `Steward's staff suspended ${v.orgName}. The reason they gave: ${v.reason}`,
      'While it is suspended, Steward runs no schedules, monitoring or tasks for it. Your data and your servers stay exactly as they are, and you can still sign in and read everything.',
      'If you think this is wrong, appeal from the organisation’s overview: staff read every appeal.',
    ],
    action: { label: 'Open the organisation', url: v.url ?? '' },
  }),
}));

defineTemplate('trust.reinstated', (v) => ({
  subject: `${v.orgName} is reinstated`,
  ...layout({
    heading: `${v.orgName} is reinstated`,
    paragraphs: [
      `Hello ${v.name},`,
      `Steward's staff reinstated ${v.orgName}. ${v.note}`,
      'Schedules, monitoring and tasks run again as they were set before the suspension.',
    ],
    action: { label: 'Open the organisation', url: v.url ?? '' },
  }),
}));

defineTemplate('trust.appealed', (v) => ({
  subject: `Your appeal for ${v.orgName} was received`,
  ...layout({
    heading: 'Appeal received',
    paragraphs: [
      `Hello ${v.name},`,
      `${v.author} appealed the suspension of ${v.orgName}. Staff will read it and answer in the support request.`,
    ],
    action: { label: 'Open the appeal', url: v.url ?? '' },
  }),
}));
