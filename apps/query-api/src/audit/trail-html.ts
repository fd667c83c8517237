import type { RequestFulfilmentView } from '@lumbung/projections';
import type { AsOfCut } from '../as-of/as-of-cut';
import type { AuditEntry } from './audit-entry';
import { bi, esc, htmlDocument, time } from './html';

export interface TrailPage {
  requestId: string;
  /** the request as of the trail's cut (or now), when it exists */
  request?: RequestFulfilmentView;
  siteName?: string | null;
  incidentName?: string | null;
  itemNames: ReadonlyMap<string, string | null>;
  entries: readonly AuditEntry[];
  cut?: AsOfCut;
  /** the cursor to the rest when the page holds only the first `limit` events */
  next: { after: number } | null;
  printedAt: string;
}

const th = (id: string, en: string, cls = '') => `<th${cls ? ` class="${cls}"` : ''}>${bi(id, en)}</th>`;

function header(p: TrailPage): string {
  const r = p.request;
  const rows: Array<[string, string, string]> = [
    ['Permintaan', 'Request', `<span class="mono">${esc(p.requestId)}</span>`],
    ['Posko / lokasi', 'Site', r ? `${esc(p.siteName ?? '')} <span class="mono">${esc(r.site_id)}</span>` : ''],
    ['Kejadian bencana', 'Incident', r ? `${esc(p.incidentName ?? '')} <span class="mono">${esc(r.incident_id)}</span>` : ''],
    ['Prioritas', 'Priority', esc(r?.priority)],
    ['Dibutuhkan', 'Needed by', time(r?.needed_by)],
    ['Diajukan', 'Submitted', time(r?.submitted_at)],
    ['Status', 'Status', esc(r?.status)],
  ];
  const dl = rows.map(([id, en, v]) => `<dt>${bi(id, en)}</dt><dd>${v}</dd>`).join('');
  const lines = r?.lines.length
    ? `<table><thead><tr>${th('Barang', 'Item')}${th('Diminta', 'Requested', 'num')}${th('Disetujui', 'Approved', 'num')}${th('Dikirim', 'Dispatched', 'num')}${th('Diterima', 'Received', 'num')}${th('Rusak', 'Damaged', 'num')}${th('Kurang', 'Short', 'num')}</tr></thead><tbody>${r.lines
        .map((l) => `<tr><td>${esc(p.itemNames.get(l.item_id) ?? '')} <span class="mono">${esc(l.item_id)}</span></td><td class="num">${l.requested}</td><td class="num">${l.approved}</td><td class="num">${l.dispatched}</td><td class="num">${l.received}</td><td class="num">${l.damaged}</td><td class="num">${l.short}</td></tr>`)
        .join('')}</tbody></table>`
    : '';
  return `<div class="cols"><dl>${dl}</dl><div>${lines}</div></div>`;
}

function eventRow(e: AuditEntry, n: number): string {
  return `<tr>
<td class="num">${n}</td>
<td class="num mono">${e.position}</td>
<td>${time(e.occurredAt, true)}</td>
<td>${time(e.recordedAt, true)}</td>
<td><strong>${esc(e.type)}</strong><br><span class="mono">${esc(e.streamId)} #${e.revision}</span></td>
<td>${esc(e.actor)}</td>
<td>${esc(e.member)}</td>
<td>${esc(e.role)}</td>
<td>${esc(e.reason)}</td>
<td class="mono">${esc(e.causationId)}</td>
<td class="mono">${esc(JSON.stringify(e.data))}</td>
<td class="mono">${esc(e.hash.slice(0, 16))}</td>
</tr>`;
}

/** The request's trail as a printable page: the request header, then every event in global order. */
export function renderTrailHtml(p: TrailPage): string {
  const cut = p.cut
    ? `Dipotong pada posisi ${p.cut.position}${p.cut.at ? ` (waktu ${esc(p.cut.at)})` : ''} <small lang="en">(cut at global position ${p.cut.position}${p.cut.recordedAt ? `, recorded ${esc(p.cut.recordedAt)}` : ''})</small>`
    : '';
  const more = p.next
    ? `<p class="small"><strong>Terpotong / truncated:</strong> lanjutkan dengan <span class="mono">after=${p.next.after}</span> (continue with after=${p.next.after}).</p>`
    : '';
  const body = `
<h1>${bi('Jejak Audit Permintaan', 'Audit trail of a request')}</h1>
<p class="meta">${p.entries.length} peristiwa / events · dicetak / printed ${time(p.printedAt, true)} ${cut ? `· ${cut}` : ''}</p>
<h2>${esc('Permintaan')}<small lang="en">Request</small></h2>
${header(p)}
<h2>${esc('Peristiwa')}<small lang="en">Events, in global order</small></h2>
<table class="small">
<thead><tr>${th('No.', '#', 'num')}${th('Posisi', 'Position', 'num')}${th('Terjadi', 'Occurred')}${th('Dicatat', 'Recorded')}${th('Peristiwa', 'Event')}${th('Oleh', 'Who')}${th('Anggota', 'Member')}${th('Peran', 'Role')}${th('Alasan', 'Why')}${th('Perintah', 'Command')}${th('Data', 'Data')}${th('Hash', 'Integrity hash')}</tr></thead>
<tbody>
${p.entries.map((e, i) => eventRow(e, i + 1)).join('\n')}
</tbody>
</table>
${more}
<footer>lumbung · ${bi('Setiap peristiwa tercatat dengan hash integritas; periksa rantai dengan', 'Each event carries an integrity hash; check the chains with')} <span class="mono">GET /audit/verify</span></footer>`;
  return htmlDocument(`Jejak audit ${p.requestId}`, body, { wide: true });
}
