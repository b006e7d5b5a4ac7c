/** Streaming exports (stub: implemented in the next step). */
import type { ServerResponse } from 'node:http';
import type { Campaign } from '../../src/shared/campaign.ts';
import type { Store } from '../store/store.ts';

export type CsvKind = 'handin' | 'contacts';

export async function writeCsvExport(_store: Store, res: ServerResponse, _kind: CsvKind, _campaign: Campaign): Promise<void> {
  res.writeHead(501).end();
}
export async function writeSvgZipExport(_store: Store, res: ServerResponse): Promise<void> {
  res.writeHead(501).end();
}
export async function writePdfExport(_store: Store, res: ServerResponse, _campaign: Campaign): Promise<void> {
  res.writeHead(501).end();
}
