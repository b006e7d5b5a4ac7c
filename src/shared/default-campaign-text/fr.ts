/** The defenders petition in fr (placeholder: English until translated). */
import type { CampaignText } from '../campaign.ts';
import { TEXT_EN } from './en.ts';

export const TEXT_FR: CampaignText = { ...TEXT_EN };
