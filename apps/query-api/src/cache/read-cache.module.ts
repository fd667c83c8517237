import { Module } from '@nestjs/common';
import { ReadCache } from './read-cache';
import { ReadCacheInterceptor } from './read-cache.interceptor';

/** One ReadCache per app, for every module whose controllers are decorated with @CachedReads(). */
@Module({
  providers: [ReadCache, ReadCacheInterceptor],
  exports: [ReadCache, ReadCacheInterceptor],
})
export class ReadCacheModule {}
