/** Every catalog at once, for tests and tools (the kiosk loads them one by one). */
import type { Language } from '../../shared/campaign.ts';
import type { Catalog } from './catalog.ts';
import { ar } from './ar.ts';
import { en } from './en.ts';
import { es } from './es.ts';
import { fr } from './fr.ts';

export const CATALOGS: Record<Language, Catalog> = { en, fr, es, ar };
