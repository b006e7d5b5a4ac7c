/**
 * The blank paper-collection sheets (GET /api/console/export/paper-sheets.pdf): which
 * campaign, in which of its languages, how many sheets.
 */
import * as z from 'zod/mini';

/** How many sheets one download holds: 10 unless asked, at most 500. */
export const PAPER_SHEETS = { default: 10, max: 500 } as const;

export const PaperSheetsQuery = z.object({
  campaign: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/))),
  /** One of the published version's languages; its default language when absent. */
  lang: z.optional(z.string()),
  /** 1 to 500; 10 when absent. */
  pages: z.optional(z.string().check(z.regex(/^\d{1,6}$/))),
});
