import type { ServerResponse as Response } from 'node:http';

/**
 * Printable HTML pages of the audit (the trail, the BAST): one self-contained document, no script,
 * no external resource, a print stylesheet; every value from the store goes through `esc`, and the
 * page is served with a CSP that allows nothing but its own inline style.
 */

export function esc(v: unknown): string {
  if (v === null || v === undefined) return '';
  return String(v).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A heading or label in Bahasa Indonesia with its English in smaller type under it. */
export const bi = (id: string, en: string): string => `${esc(id)}<small lang="en">${esc(en)}</small>`;

/**
 * Western Indonesian Time (UTC+7, no daylight saving: Jambi and Sumatra), as `2024-03-05 10:00 WIB`;
 * the exact instant stays in the <time> element's datetime.
 */
export function wib(iso: string | null | undefined, seconds = false): string {
  if (!iso) return '';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const t = new Date(ms + 7 * 3_600_000).toISOString();
  return `${t.slice(0, 10)} ${t.slice(11, seconds ? 19 : 16)} WIB`;
}

export const time = (iso: string | null | undefined, seconds = false): string => (iso ? `<time datetime="${esc(iso)}">${esc(wib(iso, seconds))}</time>` : '');

const STYLE = `
*{box-sizing:border-box}
body{font:10pt/1.35 "Helvetica Neue",Helvetica,Arial,sans-serif;color:#111;margin:0 auto;max-width:1180px;padding:18px}
h1{font-size:16pt;margin:0 0 2px}
h2{font-size:11.5pt;margin:16px 0 6px;border-bottom:1px solid #444;padding-bottom:2px}
h1 small,h2 small,th small,dt small,.sign small{display:block;font-size:7.5pt;font-weight:normal;color:#555;letter-spacing:.02em}
h2 small{display:inline;margin-left:6px}
.meta small,p small,footer small,strong small{display:inline;margin:0 .4em 0 .25em}
.meta{color:#444;font-size:8.5pt;margin:0 0 10px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}
dt{font-weight:bold}dd{margin:0}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:18px}
table{border-collapse:collapse;width:100%;margin-top:4px}
th,td{border:1px solid #999;padding:3px 5px;vertical-align:top;text-align:left}
th{background:#eee;font-size:8.5pt}
thead{display:table-header-group}
tr{break-inside:avoid;page-break-inside:avoid}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:7.5pt;word-break:break-all}
.small{font-size:8pt}
.signs{display:grid;grid-template-columns:repeat(3,1fr);gap:24px;margin-top:28px;break-inside:avoid;page-break-inside:avoid}
.sign{text-align:center}.sign .line{margin-top:64px;border-top:1px solid #111;padding-top:2px}
footer{margin-top:18px;font-size:7.5pt;color:#555}
@page{size:A4;margin:12mm}
@page wide{size:A4 landscape}
.wide{page:wide}
@media print{body{padding:0;max-width:none}a{color:inherit;text-decoration:none}.noprint{display:none}}
`;

export function htmlDocument(title: string, body: string, o: { wide?: boolean } = {}): string {
  return `<!DOCTYPE html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body${o.wide ? ' class="wide"' : ''}>
${body}
</body>
</html>
`;
}

export function sendHtml(res: Response, html: string): void {
  res.statusCode = 200;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-store');
  res.end(html);
}
