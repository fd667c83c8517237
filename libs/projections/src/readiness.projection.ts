import type {
  EquipmentDeclaredData, OperationsPlanActivatedData, OperationsPlanDraftedData, OperationsPlanRevisedData, PeopleDeclaredData, PlanLine,
  VehiclesDeclaredData, WarehouseCapacityDeclaredData,
} from '@lumbung/domain';
import { districtKey, int, iso, remove, text, table, upsert, type Projection, type ProjectionEvent, type RowChange } from './projection';

/**
 * Readiness: the pre-positioning targets of each operations plan's current version (plan stream), its
 * activations, and each member's declared capacity (capacity stream). Coverage (available stock vs
 * target) and what of a member's capacity is deployed join rm_stock and rm_shipments at query time.
 */
export const plansTable = table('rm_plans', ['plan_id'], [
  text('plan_id'), text('name'), text('hazard'), text('district'), text('district_key'), int('version'), int('line_count'), text('drafted_at'),
  text('revised_at'), int('activations'), text('last_activated_at'),
], [['district_key']]);
export const planTargetsTable = table('rm_plan_targets', ['plan_id', 'warehouse_id', 'item_id'], [
  text('plan_id'), text('warehouse_id'), text('item_id'), int('target'), int('version'),
], [['warehouse_id', 'item_id']]);
export const planActivationsTable = table('rm_plan_activations', ['plan_id', 'incident_id'], [
  text('plan_id'), text('incident_id'), int('version'), text('activated_at'),
], [['incident_id']]);
export const memberCapacityTable = table('rm_member_capacity', ['member_id', 'resource_kind', 'resource'], [
  text('member_id'), text('resource_kind'), text('resource'), int('count'), int('payload_kg'), text('detail'), text('declared_at'),
]);

/** A plan stream's memory: the target keys of its current version (a revision drops the others). */
type Ctx = { targets?: string[] };
const targetKey = (l: PlanLine) => `${l.warehouseId}\u001f${l.itemId}`;

function targets(planId: string, version: number, before: string[] | undefined, lines: PlanLine[]): RowChange[] {
  const now = new Set(lines.map(targetKey));
  return [
    ...(before ?? []).filter((k) => !now.has(k)).map((k) => {
      const [warehouseId, itemId] = k.split('\u001f');
      return remove(planTargetsTable, { plan_id: planId, warehouse_id: warehouseId, item_id: itemId });
    }),
    ...lines.map((l) => upsert(planTargetsTable, { plan_id: planId, warehouse_id: l.warehouseId, item_id: l.itemId }, (r) => ({ ...r, target: l.quantity, version }))),
  ];
}

const capacity = (memberId: string, kind: string, resource: string, f: Parameters<typeof upsert>[2]): RowChange =>
  upsert(memberCapacityTable, { member_id: memberId, resource_kind: kind, resource }, f);

function changes(e: ProjectionEvent, ctx: Ctx): RowChange[] {
  switch (e.type) {
    case 'OperationsPlanDrafted': {
      const d = e.data as unknown as OperationsPlanDraftedData;
      return [
        upsert(plansTable, { plan_id: d.planId }, (r) => ({
          ...r, name: d.name, hazard: d.hazard, district: d.district, district_key: districtKey(d.district), version: d.version, line_count: d.lines.length, drafted_at: iso(d.draftedAt),
        })),
        ...targets(d.planId, d.version, ctx.targets, d.lines),
      ];
    }
    case 'OperationsPlanRevised': {
      const d = e.data as unknown as OperationsPlanRevisedData;
      return [
        upsert(plansTable, { plan_id: d.planId }, (r) => ({ ...r, version: d.version, line_count: d.lines.length, revised_at: iso(d.revisedAt) })),
        ...targets(d.planId, d.version, ctx.targets, d.lines),
      ];
    }
    case 'OperationsPlanActivated': {
      const d = e.data as unknown as OperationsPlanActivatedData;
      return [
        upsert(plansTable, { plan_id: d.planId }, (r) => ({ ...r, activations: Number(r.activations ?? 0) + 1, last_activated_at: iso(d.activatedAt) })),
        upsert(planActivationsTable, { plan_id: d.planId, incident_id: d.incidentId }, (r) => ({ ...r, version: d.version, activated_at: iso(d.activatedAt) })),
      ];
    }
    case 'VehiclesDeclared': {
      const d = e.data as unknown as VehiclesDeclaredData;
      return [capacity(d.memberId, 'vehicle', d.vehicleType, (r) => ({ ...r, count: d.count, payload_kg: Math.round(d.payloadKg), declared_at: iso(d.declaredAt) }))];
    }
    case 'EquipmentDeclared': {
      const d = e.data as unknown as EquipmentDeclaredData;
      return [capacity(d.memberId, 'equipment', `${d.kind}/${d.condition}`, (r) => ({
        ...r, count: d.count, detail: JSON.stringify({ kind: d.kind, condition: d.condition, ...(d.note ? { note: d.note } : {}) }), declared_at: iso(d.declaredAt),
      }))];
    }
    case 'PeopleDeclared': {
      const d = e.data as unknown as PeopleDeclaredData;
      return [capacity(d.memberId, 'people', 'people', (r) => ({ ...r, count: d.count, detail: JSON.stringify({ skills: d.skills }), declared_at: iso(d.declaredAt) }))];
    }
    case 'WarehouseCapacityDeclared': {
      const d = e.data as unknown as WarehouseCapacityDeclaredData;
      return [capacity(d.memberId, 'warehouse', d.warehouseId, (r) => ({
        ...r, count: 1, detail: JSON.stringify({ capacityM3: d.capacityM3 ?? null, capacityTonnes: d.capacityTonnes ?? null }), declared_at: iso(d.declaredAt),
      }))];
    }
    default:
      return [];
  }
}

export const readinessProjection: Projection<Ctx> = {
  name: 'readiness',
  tables: [plansTable, planTargetsTable, planActivationsTable, memberCapacityTable],
  eventTypes: new Set([
    'OperationsPlanDrafted', 'OperationsPlanRevised', 'OperationsPlanActivated', 'VehiclesDeclared', 'EquipmentDeclared', 'PeopleDeclared', 'WarehouseCapacityDeclared',
  ]),
  context: {
    initial: {},
    evolve: (ctx, e) => {
      if (e.type === 'OperationsPlanDrafted' || e.type === 'OperationsPlanRevised') return { targets: (e.data as unknown as OperationsPlanRevisedData).lines.map(targetKey) };
      return ctx;
    },
  },
  changes: (e, ctx) => changes(e, ctx ?? {}),
};
