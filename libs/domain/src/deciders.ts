import { capacityDecider } from './capacity/capacity.decider';
import { dispatchDecider } from './dispatch/dispatch.decider';
import { operationsPlanDecider } from './operations-plan/operations-plan.decider';
import { pledgeDecider } from './pledge/pledge.decider';
import { incidentDecider } from './reference/incident.decider';
import { itemDecider } from './reference/item.decider';
import { memberDecider } from './reference/member.decider';
import { siteDecider } from './reference/site.decider';
import { warehouseDecider } from './reference/warehouse.decider';
import { requestDecider } from './request/request.decider';
import { streamIds } from './shared/stream-ids';
import { stockDecider } from './stock/stock.decider';

/**
 * Each aggregate with its decider and the stream that holds it. The command API looks a command's
 * decider up here and appends to `streamId(<the id the command names>)`.
 */
export const aggregates = {
  item: { decider: itemDecider, streamId: streamIds.item },
  member: { decider: memberDecider, streamId: streamIds.member },
  warehouse: { decider: warehouseDecider, streamId: streamIds.warehouse },
  site: { decider: siteDecider, streamId: streamIds.site },
  incident: { decider: incidentDecider, streamId: streamIds.incident },
  capacity: { decider: capacityDecider, streamId: streamIds.capacity },
  operationsPlan: { decider: operationsPlanDecider, streamId: streamIds.operationsPlan },
  request: { decider: requestDecider, streamId: streamIds.request },
  pledge: { decider: pledgeDecider, streamId: streamIds.pledge },
  stock: { decider: stockDecider, streamId: streamIds.stock },
  dispatch: { decider: dispatchDecider, streamId: streamIds.dispatch },
} as const;
