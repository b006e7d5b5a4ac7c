/**
 * The offline transfer file, written by the tablet and read by the server's import command.
 * It carries whole records, so import is the same idempotent ingestion as network sync.
 */
import * as z from 'zod/mini';

export const TRANSFER_FORMAT = 'fieldsign-transfer';

/** One device's chain log: each captured record's id and link, in chain order. */
export const ChainLogSchema = z.object({
  device: z.string().check(z.minLength(1), z.maxLength(64)),
  entries: z.array(
    z.object({
      id: z.string().check(z.maxLength(64)),
      link: z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/)),
      /** Erased on the tablet before it reached the server (quick delete). */
      erased: z.optional(z.literal(true)),
    }),
  ),
});

export const TransferFileSchema = z.object({
  format: z.literal(TRANSFER_FORMAT),
  version: z.literal(1),
  deviceId: z.string().check(z.minLength(1), z.maxLength(64)),
  exportedAt: z.string(),
  /** Records are re-validated one by one on import, like a batch. */
  records: z.array(z.unknown()),
  /**
   * The tablet's hash chain logs (see chain.ts): every record each device id captured, in
   * order, with its link. No personal data. Lets the coordinator check the server's copy.
   */
  chains: z.optional(z.array(ChainLogSchema)),
});
export type TransferFile = {
  format: typeof TRANSFER_FORMAT;
  version: 1;
  deviceId: string;
  exportedAt: string;
  records: unknown[];
  chains?: Array<z.infer<typeof ChainLogSchema>>;
};
