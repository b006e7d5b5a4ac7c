/**
 * The server's own types of what it sends are the contract's (src/shared/api/): checked by
 * the compiler (`npm run typecheck` covers tests/), so server and console cannot drift. The
 * store's Device, DeviceReport, AuditEntry and Totals are the contract's types themselves.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type * as z from 'zod/mini';
import type { DeviceView } from '../../server/devices.ts';
import type { RecordRow, RecordsPage } from '../../server/console/sealed-records.ts';
import type { VersionRecord } from '../../server/store/store.ts';
import type { DeviceReport } from '../../server/store/store.ts';
import type { CampaignSummary as ServerSummary } from '../../src/shared/campaigns.ts';
import type { DeviceReportSchema, DeviceViewSchema } from '../../src/shared/api/devices.ts';
import type { RecordRowSchema, RecordsPageSchema } from '../../src/shared/api/signatures.ts';
import type { CampaignSummarySchema, PublishedVersionSchema } from '../../src/shared/api/campaigns.ts';
import type { BatchReport } from '../../src/shared/protocol.ts';

describe('the server’s types are the contract’s', () => {
  it('devices and their reports', () => {
    expectTypeOf<DeviceView>().toEqualTypeOf<z.infer<typeof DeviceViewSchema>>();
    expectTypeOf<DeviceReport>().toEqualTypeOf<z.infer<typeof DeviceReportSchema>>();
    // A stored report is the batch report (S21) plus the server's time: the same fields.
    expectTypeOf<Omit<DeviceReport, 'at'>>().toEqualTypeOf<BatchReport>();
  });

  it('the records pages the console opens sealed signatures from', () => {
    expectTypeOf<RecordRow>().toEqualTypeOf<z.infer<typeof RecordRowSchema>>();
    expectTypeOf<RecordsPage>().toExtend<z.infer<typeof RecordsPageSchema>>();
  });

  it('campaigns and their published versions', () => {
    expectTypeOf<VersionRecord>().toEqualTypeOf<z.infer<typeof PublishedVersionSchema>>();
    expectTypeOf<ServerSummary>().toEqualTypeOf<z.infer<typeof CampaignSummarySchema>>();
  });
});
