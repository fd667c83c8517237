import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ServerResponse as Response } from 'node:http';
import type { EventStore } from '@lumbung/event-store';
import { ApiError, EVENT_STORE, Roles } from '@lumbung/platform';
import { expiringUntil } from '@lumbung/projections';
import { AUDIT } from '../common/scope';
import { resolveCut, type AsOfCut } from './as-of-cut';
import { AsOfQueryDto } from './as-of-query.dto';
import { AsOfReplays } from './as-of.replays';

const AS_OF_NOTE =
  'Cut by `position` (inclusive global position) or `at` (ISO-8601: the events recorded at or before it), not both; neither: the head. ' +
  'The answer has the shape of the live query\'s row, under its key, and `asOf` names the position used.';

export function notFoundAsOf(what: string, id: string, cut: AsOfCut): ApiError {
  return new ApiError(404, 'not-found', `no ${what} ${id} as of position ${cut.position}`, { [what]: id, position: cut.position });
}

/**
 * "What the dispatcher could see when they decided": a request, a dispatch, a warehouse's stock and an
 * incident's gap matrix as they stood at a point of the log, replayed from the event store through the
 * pure projections (never read from the read models, which only know the present). Costs in
 * AsOfReplays and apps/query-api/src/audit/README.md.
 */
@ApiTags('audit')
@ApiBearerAuth('bearer')
@Roles(...AUDIT)
@Controller('audit/as-of')
export class AsOfController {
  private readonly replays: AsOfReplays;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {
    this.replays = new AsOfReplays(store);
  }

  @Get('requests/:requestId')
  @ApiOperation({ summary: 'A request and its fulfilment as of a position or time', description: `${AS_OF_NOTE} Replays the request's stream and its dispatches' streams.` })
  async request(@Param('requestId') requestId: string, @Query() q: AsOfQueryDto): Promise<{ asOf: AsOfCut; request: unknown }> {
    const cut = await resolveCut(this.store, q);
    const request = await this.replays.request(requestId, cut.position);
    if (!request) throw notFoundAsOf('request', requestId, cut);
    return { asOf: cut, request };
  }

  @Get('dispatches/:dispatchId')
  @ApiOperation({ summary: 'A shipment with its lines as of a position or time', description: `${AS_OF_NOTE} Replays the dispatch's stream.` })
  async dispatch(@Param('dispatchId') dispatchId: string, @Query() q: AsOfQueryDto): Promise<{ asOf: AsOfCut; shipment: unknown }> {
    const cut = await resolveCut(this.store, q);
    const found = await this.replays.dispatch(dispatchId, cut.position);
    if (!found) throw notFoundAsOf('dispatch', dispatchId, cut);
    return { asOf: cut, shipment: found.shipment };
  }

  @Get('warehouses/:warehouseId/stock')
  @ApiOperation({
    summary: "A warehouse's stock rows as of a position or time",
    description: `${AS_OF_NOTE} Replays the warehouse's stock stream, the dispatches reserved there and the reference streams; a batch counts as expiring when it expires by the cut's date.`,
  })
  async stock(@Param('warehouseId') warehouseId: string, @Query() q: AsOfQueryDto): Promise<{ asOf: AsOfCut; warehouseId: string; items: unknown[] }> {
    const cut = await resolveCut(this.store, q);
    const items = await this.replays.warehouseStock(warehouseId, cut.position, expiringUntil(cut.at ?? cut.recordedAt ?? new Date().toISOString()));
    if (!items) throw notFoundAsOf('warehouse', warehouseId, cut);
    return { asOf: cut, warehouseId, items };
  }

  @Get('incidents/:incidentId/gap-matrix')
  @ApiOperation({
    summary: "An incident's gap matrix as of a position or time",
    description: `${AS_OF_NOTE} Replays the global log from the start to the cut (O(position) events read, page by page; memory: reference and stock rows plus the incident's requests and pledges). At most two such replays run at once (503 replay-busy otherwise).`,
  })
  async gapMatrix(
    @Param('incidentId') incidentId: string,
    @Query() q: AsOfQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<{ asOf: AsOfCut & { replay: unknown }; gapMatrix: unknown }> {
    const cut = await resolveCut(this.store, q);
    if (!(await this.replays.incidentKnown(incidentId, cut.position))) throw notFoundAsOf('incident', incidentId, cut);
    let gone = false;
    res.once('close', () => (gone = true));
    const { matrix, cost } = await this.replays.gapMatrix(incidentId, cut.position, () => gone);
    return { asOf: { ...cut, replay: cost }, gapMatrix: matrix };
  }
}
