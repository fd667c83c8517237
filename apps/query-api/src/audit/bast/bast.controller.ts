import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { ServerResponse as Response } from 'node:http';
import type { EventStore } from '@lumbung/event-store';
import { ApiError, CurrentPrincipal, EVENT_STORE, Roles, type Principal } from '@lumbung/platform';
import { AUDIT, notFound, outOfScope } from '../../common/scope';
import { sendHtml } from '../html';
import { renderBastHtml } from './bast-html';
import { renderBastPdf } from './bast-pdf';
import { buildBast, readDispatch, type DispatchRecord } from './bast.model';

export class BastQueryDto {
  @ApiPropertyOptional({ enum: ['html', 'pdf'], default: 'html' })
  @IsOptional()
  @IsIn(['html', 'pdf'])
  format?: 'html' | 'pdf';
}

/**
 * The handover record (Berita Acara Serah Terima) of a delivered dispatch, from the event store: the
 * auditors' copy, and the one the two signing parties print, the sending warehouse's officer and the
 * receiving site's officer (each only for their own warehouse or site).
 */
@ApiTags('audit')
@ApiBearerAuth('bearer')
@Controller('audit/dispatches')
export class BastController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get(':dispatchId/bast')
  @Roles(...AUDIT, 'warehouse', 'site')
  @ApiProduces('text/html', 'application/pdf')
  @ApiOperation({
    summary: 'Handover record (BAST) of a delivered dispatch, as a printable HTML page or a PDF',
    description: '404 when the dispatch is unknown, 409 when it is not delivered yet. A warehouse officer reads those of its warehouses, a site officer those of its site.',
  })
  async bast(@Param('dispatchId') dispatchId: string, @Query() q: BastQueryDto, @CurrentPrincipal() p: Principal, @Res() res: Response): Promise<void> {
    const record = await readDispatch(this.store, dispatchId);
    if (!record) throw notFound('dispatch', dispatchId);
    assertSigner(p, record);
    if (record.state.status !== 'delivered') {
      throw new ApiError(409, 'not-delivered', `dispatch ${dispatchId} is ${record.state.status}: a handover record exists once it is delivered`, { dispatchId, status: record.state.status });
    }
    const bast = await buildBast(this.store, record, new Date().toISOString());
    if (q.format === 'pdf') {
      const pdf = renderBastPdf(bast);
      res.statusCode = 200;
      res.setHeader('Content-Type', 'application/pdf');
      res.setHeader('Content-Disposition', `inline; filename="${`bast-${bast.receiptId}`.replace(/[^A-Za-z0-9._-]/g, '_')}.pdf"`);
      res.setHeader('Content-Length', pdf.length);
      res.setHeader('Cache-Control', 'no-store');
      res.end(pdf);
      return;
    }
    sendHtml(res, renderBastHtml(bast));
  }
}

/** The two parties that sign: the officer of the sending warehouse, the officer of the receiving site. */
function assertSigner(p: Principal, record: DispatchRecord): void {
  const d = record.planned;
  if (p.role === 'warehouse' && !(d.warehouseId !== undefined && p.warehouses.includes(d.warehouseId))) throw outOfScope(p, 'warehouse', d.warehouseId ?? d.dispatchId);
  if (p.role === 'site' && !(d.destination.kind === 'site' && d.destination.siteId === p.site)) throw outOfScope(p, 'site', d.destination.kind === 'site' ? d.destination.siteId : d.dispatchId);
}
