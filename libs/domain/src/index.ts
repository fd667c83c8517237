// The pure domain of lumbung: deciders, commands, events, errors. Imports nothing outside itself.
export * from './shared/json';
export * from './shared/domain-error';
export * from './shared/message';
export * from './shared/guards';
export * from './shared/stream-ids';
export * from './shared/chunked-map';

export * from './reference/reference-support';
export * from './reference/item.events';
export * from './reference/item.commands';
export * from './reference/item.decider';
export * from './reference/member.events';
export * from './reference/member.commands';
export * from './reference/member.decider';
export * from './reference/warehouse.events';
export * from './reference/warehouse.commands';
export * from './reference/warehouse.decider';
export * from './reference/site.events';
export * from './reference/site.commands';
export * from './reference/site.decider';
export * from './reference/incident.events';
export * from './reference/incident.commands';
export * from './reference/incident.decider';

export * from './capacity/capacity.events';
export * from './capacity/capacity.commands';
export * from './capacity/capacity.decider';

export * from './operations-plan/operations-plan.events';
export * from './operations-plan/operations-plan.commands';
export * from './operations-plan/operations-plan.decider';

export * from './request/request.events';
export * from './request/request.commands';
export * from './request/request.decider';

export * from './pledge/pledge.events';
export * from './pledge/pledge.commands';
export * from './pledge/pledge.decider';

export * from './stock/stock.events';
export * from './stock/stock.commands';
export * from './stock/stock.state';
export * from './stock/stock.decider';

export * from './dispatch/dispatch.events';
export * from './dispatch/dispatch.commands';
export * from './dispatch/dispatch.decider';

export * from './authorization/authorization';
export * from './versioning/event-catalogue';
export * from './versioning/upcasters';
export * from './deciders';
