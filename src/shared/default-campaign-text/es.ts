/** The defenders petition in es (placeholder: English until translated). */
import type { CampaignText } from '../campaign.ts';
import { TEXT_EN } from './en.ts';

export const TEXT_ES: CampaignText = { ...TEXT_EN };
