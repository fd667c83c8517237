import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { ApiError, Public } from '@lumbung/platform';
import { contentTypeOf, dashboardDir } from './dashboard-files';

/**
 * Everything the page loads comes from here: no CDN, no web font, no map tiles (the field offices
 * that use it may be on a thin or cut link, and a commander's screen must not leak who looks at what).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The commander dashboard: static files (HTML, JavaScript modules, CSS), no build step. Public: the
 * page holds no data; it asks for a bearer token and reads /query and /events/stream with it.
 */
@ApiExcludeController()
@Public()
@Controller('dashboard')
export class DashboardController {
  @Get()
  async index(@Res() res: ServerResponse): Promise<void> {
    await this.send(res, 'index.html');
  }

  @Get(':file')
  async file(@Param('file') file: string, @Res() res: ServerResponse): Promise<void> {
    await this.send(res, file);
  }

  private async send(res: ServerResponse, name: string): Promise<void> {
    const type = contentTypeOf(name);
    if (!type) throw new ApiError(404, 'not-found', `no dashboard file ${name}`, { file: name });
    let body: Buffer;
    try {
      body = await readFile(join(dashboardDir(), name));
    } catch {
      throw new ApiError(404, 'not-found', `no dashboard file ${name}`, { file: name });
    }
    res.statusCode = 200;
    res.setHeader('Content-Type', type);
    // Small files, changed with the app: the browser revalidates instead of keeping an old page.
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.end(body);
  }
}
