import { Inject, Injectable } from '@nestjs/common';
import { streamIds } from '@lumbung/domain';
import type { EventStore } from '@lumbung/event-store';
import { EVENT_STORE } from '@lumbung/platform';
import type { PlaceRow } from '@lumbung/read-model';

export interface Position {
  lat: number;
  lon: number;
}

/**
 * Warehouse and site coordinates for the dashboard's map. The read models do not keep them (the
 * reference projection has no lat/lon columns), so they are folded from the place's own stream
 * (Registered, then Updated events) and cached under the read model's updated_at: a place is read
 * again only after its registration changed. A handful of short streams per place, read once.
 */
@Injectable()
export class PlacePositions {
  private readonly cache = new Map<string, { stamp: string | null; position: Position | null }>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async of(place: Pick<PlaceRow, 'kind' | 'id' | 'updated_at'>): Promise<Position | null> {
    const key = `${place.kind}|${place.id}`;
    const hit = this.cache.get(key);
    if (hit && hit.stamp === place.updated_at) return hit.position;
    const position = await this.fold(place.kind === 'warehouse' ? streamIds.warehouse(place.id) : streamIds.site(place.id));
    this.cache.set(key, { stamp: place.updated_at, position });
    return position;
  }

  private async fold(streamId: string): Promise<Position | null> {
    let lat: number | undefined;
    let lon: number | undefined;
    for await (const e of this.store.readStream(streamId)) {
      const d = e.data as { lat?: unknown; lon?: unknown };
      if (typeof d.lat === 'number') lat = d.lat;
      if (typeof d.lon === 'number') lon = d.lon;
    }
    return lat !== undefined && lon !== undefined ? { lat, lon } : null;
  }
}
