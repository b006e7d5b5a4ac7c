/** The defenders petition in ar (placeholder: English until translated). */
import type { CampaignText } from '../campaign.ts';
import { TEXT_EN } from './en.ts';

export const TEXT_AR: CampaignText = { ...TEXT_EN };
