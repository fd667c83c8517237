import { StateCache } from '@lumbung/event-store';

/** Injection token of the one StateCache the command API shares between all its commands. */
export const STATE_CACHE = Symbol('STATE_CACHE');

/**
 * Enough streams for the reference data of a province-wide response plus the hot stock, request
 * and dispatch streams; least recently used streams are dropped and simply re-read when needed.
 */
export const STATE_CACHE_STREAMS = 20_000;

export const stateCacheProvider = { provide: STATE_CACHE, useFactory: (): StateCache => new StateCache(STATE_CACHE_STREAMS) };
