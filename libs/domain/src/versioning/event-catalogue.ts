import { capacityEventTypes, type CapacityEvent } from '../capacity/capacity.events';
import { dispatchEventTypes, type DispatchEvent } from '../dispatch/dispatch.events';
import { operationsPlanEventTypes, type OperationsPlanEvent } from '../operations-plan/operations-plan.events';
import { pledgeEventTypes, type PledgeEvent } from '../pledge/pledge.events';
import { incidentEventTypes, type IncidentEvent } from '../reference/incident.events';
import { itemEventTypes, type ItemEvent } from '../reference/item.events';
import { memberEventTypes, type MemberEvent } from '../reference/member.events';
import { siteEventTypes, type SiteEvent } from '../reference/site.events';
import { warehouseEventTypes, type WarehouseEvent } from '../reference/warehouse.events';
import { requestEventTypes, type RequestEvent } from '../request/request.events';
import { CURRENT_SCHEMA_VERSION } from '../shared/message';
import { stockEventTypes, type StockEvent } from '../stock/stock.events';

/** Every event type the domain emits. These strings are stored: they are never renamed in place. */
export const domainEventTypes = [
  ...itemEventTypes,
  ...memberEventTypes,
  ...warehouseEventTypes,
  ...siteEventTypes,
  ...incidentEventTypes,
  ...capacityEventTypes,
  ...operationsPlanEventTypes,
  ...requestEventTypes,
  ...pledgeEventTypes,
  ...stockEventTypes,
  ...dispatchEventTypes,
] as const;

export type DomainEventType = (typeof domainEventTypes)[number];

export type AnyDomainEvent =
  | ItemEvent
  | MemberEvent
  | WarehouseEvent
  | SiteEvent
  | IncidentEvent
  | CapacityEvent
  | OperationsPlanEvent
  | RequestEvent
  | PledgeEvent
  | StockEvent
  | DispatchEvent;

/**
 * The schema version each event type is written with now. Changing an event's data shape means:
 * bump its version here, emit the new shape, and register an upcaster from the old version.
 */
export const eventSchemaVersions: Readonly<Record<DomainEventType, number>> = Object.freeze(
  Object.fromEntries(domainEventTypes.map((t) => [t, CURRENT_SCHEMA_VERSION])) as Record<DomainEventType, number>,
);

export function isDomainEventType(type: string): type is DomainEventType {
  return (domainEventTypes as readonly string[]).includes(type);
}
