import { Inject, Injectable } from '@nestjs/common';
import { streamIds } from '@lumbung/domain';
import type { EventStore } from '@lumbung/event-store';
import { placeCoordinate, type RowValue } from '@lumbung/projections';
import { EVENT_STORE } from '@lumbung/platform';
import type { MapPlace } from '@lumbung/read-model';

/**
 * The positions of the map's places that the read model lacks. The reference projection keeps every
 * place's lat/lon, and its migration fills them for older read models from the event store's table
 * when that sits in the same database (PostgreSQL). Embedded mode keeps its events in another SQLite
 * file: an older read model there has places without a position until the reference projection is
 * rebuilt, and those (only those) are folded here from the place's stream, as the projection would,
 * and kept. The key of what is kept is the read model's own (lat, lon) pair: an update that carries a
 * coordinate changes it, and only such an update can change the fold.
 */
@Injectable()
export class PlacePositions {
  private readonly cache = new Map<string, { stamp: string; lat: number | null; lon: number | null }>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** Fills in place the coordinates of the places that miss one; does nothing (and reads nothing) when none does. */
  async complete(kind: 'warehouse' | 'site', places: MapPlace[]): Promise<void> {
    for (const p of places) {
      if (p.lat !== null && p.lon !== null) continue;
      const key = `${kind}|${p.id}`;
      const stamp = `${p.lat}|${p.lon}`;
      let hit = this.cache.get(key);
      if (!hit || hit.stamp !== stamp) {
        hit = { stamp, ...(await this.fold(kind === 'warehouse' ? streamIds.warehouse(p.id) : streamIds.site(p.id))) };
        this.cache.set(key, hit);
      }
      p.lat = hit.lat;
      p.lon = hit.lon;
    }
  }

  /** The place's coordinates as the reference projection folds them (placeCoordinate), as numbers. */
  private async fold(streamId: string): Promise<{ lat: number | null; lon: number | null }> {
    let lat: RowValue = null;
    let lon: RowValue = null;
    for await (const e of this.store.readStream(streamId)) {
      const d = e.data as { lat?: unknown; lon?: unknown };
      lat = placeCoordinate(d.lat, lat);
      lon = placeCoordinate(d.lon, lon);
    }
    return { lat: lat === null ? null : Number(lat), lon: lon === null ? null : Number(lon) };
  }
}
