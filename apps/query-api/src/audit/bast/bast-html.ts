import { bi, esc, htmlDocument, time } from '../html';
import { totals, type BastModel } from './bast.model';

const th = (id: string, en: string, num = false) => `<th${num ? ' class="num"' : ''}>${bi(id, en)}</th>`;
const row = (id: string, en: string, value: string) => `<dt>${bi(id, en)}</dt><dd>${value}</dd>`;
const idSpan = (v: string | null) => (v ? ` <span class="mono">${esc(v)}</span>` : '');

/** The BAST as a printable page (A4 portrait): the parties, the shipment, the lines, the integrity proof, the signatures. */
export function renderBastHtml(b: BastModel): string {
  const t = totals(b.lines);
  const lines = b.lines
    .map(
      (l, i) => `<tr><td class="num">${i + 1}</td><td>${esc(l.itemName ?? l.itemId)}${l.itemName ? idSpan(l.itemId) : ''}</td><td>${esc(l.unit)}</td>
<td class="num">${l.sent}</td><td class="num">${l.received}</td><td class="num">${l.damaged}</td><td class="num">${l.short}</td><td class="num">${l.over}</td><td>${esc(l.reason)}</td></tr>`,
    )
    .join('\n');
  const receiver = b.receiver.kind === 'site' ? bi('Lokasi / posko', 'Site') : bi('Gudang tujuan', 'Destination warehouse');
  const body = `
<h1>${bi('Berita Acara Serah Terima Barang', 'Handover record of relief items (BAST)')}</h1>
<p class="meta">${bi('Nomor', 'Receipt')} <strong class="mono">${esc(b.receiptId)}</strong> · ${bi('Pengiriman', 'Dispatch')} <span class="mono">${esc(b.dispatchId)}</span></p>
<p>Pada ${time(b.deliveredAt)} telah dilakukan serah terima barang bantuan dengan rincian sebagai berikut.
<small lang="en" class="small">On ${esc(b.deliveredAt)} the relief items below were handed over.</small></p>
<div class="cols">
<section><h2>Pihak Pertama: yang menyerahkan<small lang="en">First party: sender</small></h2>
<dl>
${row('Gudang', 'Warehouse', `${esc(b.sender.warehouseName ?? '')}${idSpan(b.sender.warehouseId)}`)}
${row('Anggota klaster', 'Member organisation', `${esc(b.sender.memberName ?? '')}${idSpan(b.sender.memberId)}`)}
${row('Kabupaten/kota', 'District', esc(b.sender.district))}
${b.sender.address ? row('Alamat', 'Address', esc(b.sender.address)) : ''}
</dl></section>
<section><h2>Pihak Kedua: yang menerima<small lang="en">Second party: receiver</small></h2>
<dl>
<dt>${receiver}</dt><dd>${esc(b.receiver.name ?? '')}${idSpan(b.receiver.id)}</dd>
${row('Kabupaten/kota', 'District', esc(b.receiver.district))}
${row('Diterima oleh', 'Received by', esc(b.receiver.receivedBy))}
</dl></section>
</div>
<h2>Pengiriman<small lang="en">Shipment</small></h2>
<div class="cols"><dl>
${row('Nomor surat jalan', 'Waybill', `<span class="mono">${esc(b.waybillNumber)}</span>`)}
${row('Kendaraan', 'Vehicle', esc(b.vehicle))}
${row('Pengemudi', 'Driver', esc(b.driver))}
</dl><dl>
${row('Berangkat', 'Departed', time(b.departedAt))}
${row('Tiba / diterima', 'Delivered', time(b.deliveredAt))}
${b.requestId ? row('Permintaan', 'Request', `<span class="mono">${esc(b.requestId)}</span>`) : ''}
${b.incident ? row('Kejadian bencana', 'Incident', `${esc(b.incident.name ?? '')}${idSpan(b.incident.id)}`) : ''}
</dl></div>
<h2>Rincian Barang<small lang="en">Items</small></h2>
<table>
<thead><tr>${th('No.', '#', true)}${th('Barang', 'Item')}${th('Satuan', 'Unit')}${th('Dikirim', 'Sent', true)}${th('Diterima baik', 'Received', true)}${th('Rusak', 'Damaged', true)}${th('Kurang', 'Short', true)}${th('Lebih', 'Over', true)}${th('Keterangan', 'Remarks')}</tr></thead>
<tbody>
${lines}
<tr><th colspan="3">${bi('Jumlah', 'Total')}</th><th class="num">${t.sent}</th><th class="num">${t.received}</th><th class="num">${t.damaged}</th><th class="num">${t.short}</th><th class="num">${t.over}</th><th></th></tr>
</tbody>
</table>
${b.note ? `<p><strong>${bi('Catatan', 'Note')}</strong> ${esc(b.note)}</p>` : ''}
<h2>Bukti Integritas<small lang="en">Integrity proof</small></h2>
<dl class="small">
${row('Peristiwa penerimaan', 'Receipt event', `<span class="mono">${esc(b.receipt.eventId)}</span> (${esc(b.receipt.streamId)} #${b.receipt.revision})`)}
${row('Posisi di log', 'Global position', b.receipt.position === null ? 'belum disegel / not sealed yet' : String(b.receipt.position))}
${row('Hash integritas', 'Integrity hash (SHA-256)', `<span class="mono">${esc(b.receipt.hash)}</span>`)}
${row('Dicatat', 'Recorded', `${time(b.receipt.recordedAt, true)} · ${esc(b.receipt.actor)}${b.receipt.role ? ` (${esc(b.receipt.role)})` : ''}`)}
</dl>
<div class="signs">
<div class="sign">${bi('Yang menyerahkan', 'Handed over by')}<div class="line">${esc(b.departedBy ?? '')}<small lang="en">${esc(b.sender.warehouseName ?? b.sender.memberName ?? '')}</small></div></div>
<div class="sign">${bi('Pengemudi', 'Driver')}<div class="line">${esc(b.driver ?? '')}<small lang="en">${esc(b.vehicle ?? '')}</small></div></div>
<div class="sign">${bi('Yang menerima', 'Received by')}<div class="line">${esc(b.receiver.receivedBy)}<small lang="en">${esc(b.receiver.name ?? '')}</small></div></div>
</div>
<footer>lumbung · BAST ${esc(b.receiptId)} · ${bi('dicetak', 'printed')} ${time(b.printedAt, true)}</footer>`;
  return htmlDocument(`BAST ${b.receiptId}`, body);
}
