/**
 * JSON shapes for event data. Declared here (not imported from @lumbung/event-store) because the
 * domain imports nothing; they are structurally identical to the store's, so domain events are
 * accepted by its `DecidedEvent` as they are.
 *
 * Event data types are `type` aliases with mutable arrays on purpose: an `interface` or a
 * `readonly` array is not assignable to an index-signature type such as JsonObject.
 */
export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
