import type {
  IncidentDeactivatedData, IncidentPhaseChangedData, IncidentRegisteredData, IncidentUpdatedData, ItemDeactivatedData, ItemRegisteredData,
  ItemUpdatedData, MemberDeactivatedData, MemberRegisteredData, MemberUpdatedData, SiteDeactivatedData, SiteRegisteredData, SiteUpdatedData,
  WarehouseDeactivatedData, WarehouseRegisteredData, WarehouseUpdatedData,
} from '@lumbung/domain';
import { districtKey, int, iso, remove, table, text, upsert, type Projection, type ProjectionEvent, type Row, type RowChange, type RowValue } from './projection';

/**
 * Reference data the other read models are joined with at query time (names, districts, categories,
 * the districts an incident affects). Each row is written by its own stream only.
 */
export const itemsTable = table('rm_items', ['item_id'], [
  text('item_id'), text('code'), text('name'), text('unit'), text('category'), int('consumable'), int('pack_size'), int('active'), text('updated_at'),
], [['category']]);
/*
 * lat and lon (the dashboard's map) are text columns holding the number as JavaScript writes it: the
 * portable column types are text and integer, and text gives the coordinate back exactly (Number()),
 * where an integer of micro-degrees would round it. They come last, where a migration adds them to an
 * older table, so that a migrated table and a new one have the same columns in the same order.
 */
export const warehousesTable = table('rm_warehouses', ['warehouse_id'], [
  text('warehouse_id'), text('name'), text('owner_member_id'), text('district'), text('district_key'), text('address'), int('active'), text('updated_at'),
  text('lat'), text('lon'),
], [['district_key'], ['owner_member_id']]);
export const sitesTable = table('rm_sites', ['site_id'], [
  text('site_id'), text('name'), text('type'), text('district'), text('district_key'), int('active'), text('updated_at'), text('lat'), text('lon'),
], [['district_key']]);
export const membersTable = table('rm_members', ['member_id'], [
  text('member_id'), text('name'), text('kind'), text('contact_name'), text('contact_phone'), int('active'), text('updated_at'),
]);
export const incidentsTable = table('rm_incidents', ['incident_id'], [
  text('incident_id'), text('name'), text('type'), text('phase'), text('districts'), int('active'), text('registered_at'), text('updated_at'),
]);
/** one row per district an incident affects (gap matrix: warehouses of the incident's districts) */
export const incidentDistrictsTable = table('rm_incident_districts', ['incident_id', 'district_key'], [
  text('incident_id'), text('district_key'), text('district'),
], [['district_key']]);

type Ctx = { districts?: string[] };

const patch = (row: Row, p: Record<string, unknown>, map: Record<string, string>): Row => {
  const out = { ...row };
  for (const [from, to] of Object.entries(map)) {
    const v = p[from];
    if (v !== undefined) out[to] = typeof v === 'boolean' ? (v ? 1 : 0) : (v as string | number);
  }
  return out;
};

/**
 * A place's coordinate after an event that may carry it: the event's number as text, else the row's
 * (registration and updates alike: an update that leaves the position out keeps it, and so does a
 * registration without one, as older test fixtures have).
 */
export const placeCoordinate = (v: unknown, before: RowValue | undefined): RowValue => (typeof v === 'number' && Number.isFinite(v) ? String(v) : (before ?? null));

function districtChanges(incidentId: string, before: string[] | undefined, after: string[]): RowChange[] {
  const keep = new Map(after.map((d) => [districtKey(d)!, d]));
  const out: RowChange[] = [];
  for (const d of before ?? []) if (!keep.has(districtKey(d)!)) out.push(remove(incidentDistrictsTable, { incident_id: incidentId, district_key: districtKey(d) }));
  for (const [k, d] of keep) out.push(upsert(incidentDistrictsTable, { incident_id: incidentId, district_key: k }, (r) => ({ ...r, district: d })));
  return out;
}

function changes(e: ProjectionEvent, ctx: Ctx): RowChange[] {
  const d = e.data as Record<string, unknown>;
  switch (e.type) {
    case 'ItemRegistered': {
      const x = d as ItemRegisteredData;
      return [upsert(itemsTable, { item_id: x.itemId }, (r) => ({
        ...r, code: x.code, name: x.name, unit: x.unit, category: x.category, consumable: x.consumable ? 1 : 0, pack_size: x.packSize ?? 0, active: 1, updated_at: iso(x.registeredAt),
      }))];
    }
    case 'ItemUpdated': {
      const x = d as ItemUpdatedData;
      return [upsert(itemsTable, { item_id: x.itemId }, (r) => ({ ...patch(r, x, { name: 'name', unit: 'unit', category: 'category', packSize: 'pack_size', consumable: 'consumable' }), updated_at: iso(x.updatedAt) }))];
    }
    case 'ItemDeactivated': {
      const x = d as ItemDeactivatedData;
      return [upsert(itemsTable, { item_id: x.itemId }, (r) => ({ ...r, active: 0, updated_at: iso(x.deactivatedAt) }))];
    }
    case 'WarehouseRegistered': {
      const x = d as WarehouseRegisteredData;
      return [upsert(warehousesTable, { warehouse_id: x.warehouseId }, (r) => ({
        ...r, name: x.name, owner_member_id: x.ownerMemberId, district: x.district, district_key: districtKey(x.district), address: x.address ?? null, active: 1, updated_at: iso(x.registeredAt),
        lat: placeCoordinate(x.lat, r.lat), lon: placeCoordinate(x.lon, r.lon),
      }))];
    }
    case 'WarehouseUpdated': {
      const x = d as WarehouseUpdatedData;
      return [upsert(warehousesTable, { warehouse_id: x.warehouseId }, (r) => {
        const out = patch(r, x, { name: 'name', ownerMemberId: 'owner_member_id', district: 'district', address: 'address' });
        return { ...out, district_key: districtKey(out.district as string | null), updated_at: iso(x.updatedAt), lat: placeCoordinate(x.lat, r.lat), lon: placeCoordinate(x.lon, r.lon) };
      })];
    }
    case 'WarehouseDeactivated': {
      const x = d as WarehouseDeactivatedData;
      return [upsert(warehousesTable, { warehouse_id: x.warehouseId }, (r) => ({ ...r, active: 0, updated_at: iso(x.deactivatedAt) }))];
    }
    case 'SiteRegistered': {
      const x = d as SiteRegisteredData;
      return [upsert(sitesTable, { site_id: x.siteId }, (r) => ({
        ...r, name: x.name, type: x.type, district: x.district, district_key: districtKey(x.district), active: 1, updated_at: iso(x.registeredAt),
        lat: placeCoordinate(x.lat, r.lat), lon: placeCoordinate(x.lon, r.lon),
      }))];
    }
    case 'SiteUpdated': {
      const x = d as SiteUpdatedData;
      return [upsert(sitesTable, { site_id: x.siteId }, (r) => {
        const out = patch(r, x, { name: 'name', type: 'type', district: 'district' });
        return { ...out, district_key: districtKey(out.district as string | null), updated_at: iso(x.updatedAt), lat: placeCoordinate(x.lat, r.lat), lon: placeCoordinate(x.lon, r.lon) };
      })];
    }
    case 'SiteDeactivated': {
      const x = d as SiteDeactivatedData;
      return [upsert(sitesTable, { site_id: x.siteId }, (r) => ({ ...r, active: 0, updated_at: iso(x.deactivatedAt) }))];
    }
    case 'MemberRegistered': {
      const x = d as MemberRegisteredData;
      return [upsert(membersTable, { member_id: x.memberId }, (r) => ({
        ...r, name: x.name, kind: x.kind, contact_name: x.contactName ?? null, contact_phone: x.contactPhone ?? null, active: 1, updated_at: iso(x.registeredAt),
      }))];
    }
    case 'MemberUpdated': {
      const x = d as MemberUpdatedData;
      return [upsert(membersTable, { member_id: x.memberId }, (r) => ({
        ...patch(r, x, { name: 'name', kind: 'kind', contactName: 'contact_name', contactPhone: 'contact_phone' }), updated_at: iso(x.updatedAt),
      }))];
    }
    case 'MemberDeactivated': {
      const x = d as MemberDeactivatedData;
      return [upsert(membersTable, { member_id: x.memberId }, (r) => ({ ...r, active: 0, updated_at: iso(x.deactivatedAt) }))];
    }
    case 'IncidentRegistered': {
      const x = d as IncidentRegisteredData;
      return [
        upsert(incidentsTable, { incident_id: x.incidentId }, (r) => ({
          ...r, name: x.name, type: x.type, phase: x.phase, districts: JSON.stringify(x.districts), active: 1, registered_at: iso(x.registeredAt), updated_at: iso(x.registeredAt),
        })),
        ...districtChanges(x.incidentId, ctx.districts, x.districts),
      ];
    }
    case 'IncidentUpdated': {
      const x = d as IncidentUpdatedData;
      return [
        upsert(incidentsTable, { incident_id: x.incidentId }, (r) => ({
          ...r, name: x.name ?? r.name, districts: x.districts ? JSON.stringify(x.districts) : r.districts, updated_at: iso(x.updatedAt),
        })),
        ...(x.districts ? districtChanges(x.incidentId, ctx.districts, x.districts) : []),
      ];
    }
    case 'IncidentPhaseChanged': {
      const x = d as IncidentPhaseChangedData;
      return [upsert(incidentsTable, { incident_id: x.incidentId }, (r) => ({ ...r, phase: x.to, updated_at: iso(x.changedAt) }))];
    }
    case 'IncidentDeactivated': {
      const x = d as IncidentDeactivatedData;
      return [upsert(incidentsTable, { incident_id: x.incidentId }, (r) => ({ ...r, active: 0, updated_at: iso(x.deactivatedAt) }))];
    }
    default:
      return [];
  }
}

export const referenceProjection: Projection<Ctx> = {
  name: 'reference',
  tables: [itemsTable, warehousesTable, sitesTable, membersTable, incidentsTable, incidentDistrictsTable],
  eventTypes: new Set([
    'ItemRegistered', 'ItemUpdated', 'ItemDeactivated', 'WarehouseRegistered', 'WarehouseUpdated', 'WarehouseDeactivated',
    'SiteRegistered', 'SiteUpdated', 'SiteDeactivated', 'MemberRegistered', 'MemberUpdated', 'MemberDeactivated',
    'IncidentRegistered', 'IncidentUpdated', 'IncidentPhaseChanged', 'IncidentDeactivated',
  ]),
  // Only an incident's stream needs memory: which districts it affected before an update replaces them.
  context: {
    initial: {},
    evolve: (ctx, e) => {
      if (e.type === 'IncidentRegistered') return { districts: (e.data as IncidentRegisteredData).districts };
      if (e.type === 'IncidentUpdated' && (e.data as IncidentUpdatedData).districts) return { districts: (e.data as IncidentUpdatedData).districts };
      return ctx;
    },
  },
  changes: (e, ctx) => changes(e, ctx ?? {}),
};
