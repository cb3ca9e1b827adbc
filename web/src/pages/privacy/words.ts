import type { ConsentPurpose, ConsentRecord } from '../../api/types';

export const PURPOSE_LABELS: Record<ConsentPurpose, string> = {
  promotions: 'Offers from the operator',
  partner_offers: 'Offers from partners',
  analytics: 'Usage analytics',
  referrals: 'Inviting friends for you',
  recommendations: 'Personalised recommendations',
};

export const SOURCE_LABELS: Record<ConsentRecord['source'], string> = {
  console: 'in the console',
  api: 'through the API',
  banner: 'on the consent banner',
  unsubscribe_link: 'with an unsubscribe link',
};
