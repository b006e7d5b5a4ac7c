/**
 * The words printed on the blank paper-collection sheets (exports/paper-sheets.ts), in the
 * four interface languages. The kiosk's catalogs (src/kiosk/i18n/) hold the signer-facing
 * words of the screen; these are the sheet's own, kept here so the server bundles no kiosk code.
 */
import type { Language } from '../../src/shared/campaign.ts';

export interface PaperSheetLabels {
  number: string;
  name: string;
  address: string;
  signature: string;
  campaign: string;
  version: string;
  language: string;
  textHash: string;
  /** "Sheet {n} of {total}". */
  sheet: (n: number, total: number) => string;
  collectedAt: string;
  collectedBy: string;
}

/** Each language's own name for itself. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', fr: 'Français', es: 'Español', ar: 'العربية' };

export const PAPER_SHEET_LABELS: Record<Language, PaperSheetLabels> = {
  en: {
    number: 'No.',
    name: 'Name',
    address: 'Address',
    signature: 'Signature',
    campaign: 'Campaign',
    version: 'version',
    language: 'language',
    textHash: 'text SHA-256',
    sheet: (n, total) => `Sheet ${n} of ${total}`,
    collectedAt: 'Collected at',
    collectedBy: 'by',
  },
  fr: {
    number: 'N°',
    name: 'Nom',
    address: 'Adresse',
    signature: 'Signature',
    campaign: 'Campagne',
    version: 'version',
    language: 'langue',
    textHash: 'SHA-256 du texte',
    sheet: (n, total) => `Feuille ${n} sur ${total}`,
    collectedAt: 'Recueillies à',
    collectedBy: 'par',
  },
  es: {
    number: 'N.º',
    name: 'Nombre',
    address: 'Dirección',
    signature: 'Firma',
    campaign: 'Campaña',
    version: 'versión',
    language: 'idioma',
    textHash: 'SHA-256 del texto',
    sheet: (n, total) => `Hoja ${n} de ${total}`,
    collectedAt: 'Recogidas en',
    collectedBy: 'por',
  },
  ar: {
    number: 'رقم',
    name: 'الاسم',
    address: 'العنوان',
    signature: 'التوقيع',
    campaign: 'الحملة',
    version: 'الإصدار',
    language: 'اللغة',
    textHash: 'SHA-256 للنص',
    sheet: (n, total) => `الورقة ${n} من ${total}`,
    collectedAt: 'جُمعت في',
    collectedBy: 'بواسطة',
  },
};
