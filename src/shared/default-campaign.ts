/**
 * The default campaign: the global call to protect human rights defenders, in every
 * language the kiosk speaks. The server serves it unless it is given another campaign file.
 */
import type { Campaign } from './campaign.ts';
import { TEXT_AR } from './default-campaign-text/ar.ts';
import { TEXT_EN } from './default-campaign-text/en.ts';
import { TEXT_ES } from './default-campaign-text/es.ts';
import { TEXT_FR } from './default-campaign-text/fr.ts';

export type { Campaign } from './campaign.ts';

export const DEFAULT_CAMPAIGN: Campaign = {
  id: 'protect-defenders',
  version: 1,
  consentVersion: 1,
  languages: ['en', 'fr', 'es', 'ar'],
  defaultLanguage: 'en',
  text: { en: TEXT_EN, fr: TEXT_FR, es: TEXT_ES, ar: TEXT_AR },
  fields: {
    name: { shown: true, required: true },
    email: { shown: true, required: true },
    country: { shown: true, required: true },
    postcode: { shown: false, required: false },
    phone: { shown: false, required: false },
  },
  theme: { color: '#1a1a2e' },
};
