import type { DataSource } from 'typeorm';
import { withExecutor } from '../sql-executor';
import { numbers, paging, Where, type Page, type PageRequest } from './paging';

export interface ShipmentFilter extends PageRequest {
  status?: 'planned' | 'in-transit' | 'delivered' | 'cancelled' | 'lost';
  /** in transit with an expected arrival before this time */
  overdueAsOf?: string;
  warehouseId?: string;
  requestId?: string;
  incidentId?: string;
  destinationId?: string;
}

const NUMS = ['line_count', 'quantity', 'received', 'damaged', 'short', 'over'];

/** The shipments board. `status: 'in-transit'` is the in-transit list; `overdueAsOf` the overdue list as of a time. */
export async function queryShipments(ds: DataSource, f: ShipmentFilter = {}): Promise<Page<Record<string, unknown>>> {
  return withExecutor(ds, async (sql) => {
    const where = new Where()
      .when(f.status, 'status = ?', f.status)
      .when(f.overdueAsOf, "status = 'in-transit' AND expected_at IS NOT NULL AND expected_at < ?", f.overdueAsOf ? new Date(f.overdueAsOf).toISOString() : undefined)
      .when(f.warehouseId, 'warehouse_id = ?', f.warehouseId)
      .when(f.requestId, 'request_id = ?', f.requestId)
      .when(f.incidentId, 'incident_id = ?', f.incidentId)
      .when(f.destinationId, 'destination_id = ?', f.destinationId);
    const { limit, offset, orderBy } = paging(
      f,
      { expected_at: 'expected_at', departed_at: 'departed_at', planned_at: 'planned_at', delivered_at: 'delivered_at', status: 'status' },
      f.overdueAsOf || f.status === 'in-transit' ? 'expected_at' : 'planned_at',
      'dispatch_id',
    );
    const from = `FROM ${sql.table('rm_shipments')} ${where}`;
    const rows = await sql.query<Record<string, unknown>>(`SELECT * ${from} ${orderBy} LIMIT ? OFFSET ?`, [...where.params, limit, offset]);
    const [{ n }] = await sql.query<{ n: string }>(`SELECT COUNT(*) AS n ${from}`, where.params);
    return { items: rows.map((r) => numbers(r, NUMS)), total: Number(n), limit, offset };
  });
}

export async function queryShipmentLines(ds: DataSource, dispatchId: string): Promise<Array<Record<string, unknown>>> {
  return withExecutor(ds, async (sql) =>
    (await sql.query<Record<string, unknown>>(`SELECT * FROM ${sql.table('rm_shipment_lines')} WHERE dispatch_id = ? ORDER BY item_id`, [dispatchId])).map((r) =>
      numbers(r, ['quantity', 'received', 'damaged', 'short', 'over']),
    ),
  );
}
