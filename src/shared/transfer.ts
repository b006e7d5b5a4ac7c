/**
 * The offline transfer file, written by the tablet and read by the server's import command.
 * It carries whole records, so import is the same idempotent ingestion as network sync.
 */
import * as z from 'zod/mini';

export const TRANSFER_FORMAT = 'fieldsign-transfer';

export const TransferFileSchema = z.object({
  format: z.literal(TRANSFER_FORMAT),
  version: z.literal(1),
  deviceId: z.string().check(z.minLength(1), z.maxLength(64)),
  exportedAt: z.string(),
  /** Records are re-validated one by one on import, like a batch. */
  records: z.array(z.unknown()),
});
export type TransferFile = { format: typeof TRANSFER_FORMAT; version: 1; deviceId: string; exportedAt: string; records: unknown[] };
