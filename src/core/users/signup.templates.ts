import { defineTemplate, layout } from '../notify/templates.js';

defineTemplate('account.confirm', (v) => ({
  subject: 'Confirm your address to finish creating your Steward account',
  ...layout({
    heading: `Confirm your address, ${v.name}`,
    paragraphs: [
      'Someone, probably you, asked to create a Steward account with this e-mail address. Follow the link to confirm the address; the account and its organisation are created then, and you sign in with the password you chose.',
      `The link works once, for ${v.hours ?? '24'} hours. If you did not ask for an account, ignore this message: nothing is created.`,
    ],
    action: { label: 'Confirm this address', url: v.url ?? '' },
  }),
}));

defineTemplate('account.signup_existing', (v) => ({
  subject: 'You already have a Steward account',
  ...layout({
    heading: 'You already have an account',
    paragraphs: [
      'Someone, probably you, tried to create a Steward account with this e-mail address, which already has one. Nothing was changed.',
      'To use your account, sign in. If this was not you, you can ignore this message.',
    ],
    action: { label: 'Sign in', url: v.url ?? '' },
  }),
}));
