import type { DataverseEventListener } from './events.ts';
import type { Transport } from './http.ts';
import type { StatsRecorder } from './stats.ts';
import type { TableCatalog } from './tables.ts';

/** What the operation modules share: one per client, passed down explicitly. */
export interface ClientContext {
  readonly transport: Transport;
  readonly stats: StatsRecorder;
  readonly emit: DataverseEventListener;
  readonly tables: TableCatalog;
}

/** Counts written records and reports them. */
export function recordWrites(ctx: ClientContext, kind: 'data' | 'bulk' | 'batch', records: number): void {
  if (records <= 0) return;
  ctx.stats.recordsWritten += records;
  ctx.emit({ type: 'written', kind, records });
}
