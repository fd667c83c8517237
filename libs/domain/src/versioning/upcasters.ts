import type { JsonObject } from '../shared/json';
import type { DomainEvent } from '../shared/message';
import { eventSchemaVersions, type AnyDomainEvent } from './event-catalogue';

/** An event as the store hands it back: the shape of the store's RecordedEvent that upcasting needs. */
export type StoredEvent = { type: string; schemaVersion?: number; data: JsonObject };

/**
 * Turns one stored version of an event type into the next (fromVersion → fromVersion + 1).
 * It may rename the type too; stored events are never rewritten, they are upcast on every read.
 */
export interface Upcaster {
  type: string;
  fromVersion: number;
  upcast(data: JsonObject): { type?: string; data: JsonObject };
}

export class UpcastError extends Error {
  constructor(
    message: string,
    readonly type: string,
    readonly schemaVersion: number,
  ) {
    super(message);
    this.name = 'UpcastError';
  }
}

/**
 * Builds the read-side function the store's command handling takes (`HandleOptions.upcast`):
 * it applies upcasters until the event is at its current version. Types the catalogue does not know
 * pass through unchanged (evolve ignores them), so a newer writer does not break an older reader.
 */
export function createUpcaster(registry: readonly Upcaster[], currentVersions: Readonly<Record<string, number>> = eventSchemaVersions) {
  const byKey = new Map<string, Upcaster>();
  for (const u of registry) {
    const key = `${u.type}@${u.fromVersion}`;
    if (byKey.has(key)) throw new UpcastError(`two upcasters for ${u.type} version ${u.fromVersion}`, u.type, u.fromVersion);
    byKey.set(key, u);
  }
  return function upcast<E extends DomainEvent = AnyDomainEvent>(stored: StoredEvent): E {
    let type = stored.type;
    let version = stored.schemaVersion ?? 1;
    let data = stored.data;
    for (;;) {
      const current = currentVersions[type];
      if (current === undefined || version === current) break;
      if (version > current) {
        throw new UpcastError(`${type} version ${version} is newer than this code knows (${current}); deploy the newer code to read it`, type, version);
      }
      const u = byKey.get(`${type}@${version}`);
      if (!u) throw new UpcastError(`no upcaster for ${type} from version ${version} to ${current}`, type, version);
      const next = u.upcast(data);
      type = next.type ?? type;
      data = next.data;
      version += 1;
    }
    return { type, data, schemaVersion: version } as unknown as E;
  };
}

/**
 * The registry. Every event type is at version 1 today, so it is empty; the first data change adds
 * its upcaster here (see upcasters.unit.spec.ts for the worked example of a field rename).
 */
export const upcasters: readonly Upcaster[] = [];

/** Upcasts a stored event with the registry above; pass it as `upcast` to the store's handleCommand. */
export const upcastEvent = createUpcaster(upcasters);
