// Each panel renders from data the app has already fetched: a language switch re-renders without
// asking the server again. Raw figures sit in data-value attributes (tests and screen readers read
// the formatted text; scripts can read the number).

import { fmtDay, fmtDuration, fmtNumber, t, tOr } from './i18n.js';
import { barChart, h, lineChart, shorten, shortPlace, stackedBars } from './svg.js';

export const CATEGORIES = ['food', 'non-food', 'shelter', 'wash', 'health', 'equipment', 'other'];

function tile(id, label, value, raw, note, extra) {
  return h('div', { class: 'tile', 'data-testid': id },
    h('div', { class: 'tile-label', id: `${id}-label` }, label),
    h('div', { class: 'tile-value', 'data-value': raw, 'aria-describedby': `${id}-label` }, value),
    extra,
    h('div', { class: 'tile-note' }, note));
}

export function renderFigures(f) {
  const bar = h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': f.percent_delivered, 'aria-label': t('delivered') },
    h('div', { class: `progress-fill w${Math.round(f.percent_delivered / 5) * 5}` }));
  const overdue = f.shipments.overdue;
  return [
    tile('fig-requests-open', t('requestsOpen'), fmtNumber(f.requests.open), f.requests.open,
      t('requestsOpenNote', { total: fmtNumber(f.requests.total), submitted: fmtNumber(f.requests.submitted) })),
    tile('fig-delivered', t('delivered'), `${f.percent_delivered}%`, f.percent_delivered,
      t('deliveredNote', { delivered: fmtNumber(f.delivered_qty), approved: fmtNumber(f.approved_qty) }), bar),
    tile('fig-mean-time', t('meanTime'), fmtDuration(f.mean_seconds_to_first_delivery), f.mean_seconds_to_first_delivery ?? '',
      t('meanTimeNote', { n: fmtNumber(f.requests_with_delivery) })),
    tile('fig-in-transit', t('inTransit'), fmtNumber(f.shipments.in_transit), f.shipments.in_transit,
      h('span', { class: overdue > 0 ? 'warn' : '', 'data-testid': 'fig-overdue', 'data-value': overdue }, t('overdueNote', { overdue: fmtNumber(overdue) }))),
    tile('fig-pledges', t('pledges'), fmtNumber(f.pledges.outstanding_qty), f.pledges.outstanding_qty,
      t('pledgesNote', { n: fmtNumber(f.pledges.outstanding_pledges) })),
  ];
}

/** Need, available and shortfall per district and item, from the gap matrix's cells. */
export function gapByDistrict(m) {
  const key = (d) => (d ?? '').trim().toLowerCase();
  const rows = new Map();
  for (const d of m.districts) rows.set(key(d), { district: d, cells: new Map() });
  for (const c of m.cells) {
    const k = key(c.district);
    if (!rows.has(k)) rows.set(k, { district: c.district, cells: new Map() });
    const cell = rows.get(k).cells.get(c.item_id) ?? { need: 0, available: 0 };
    cell.need += c.need;
    // the district's stock is the same for every site in it
    cell.available = Math.max(cell.available, c.available_in_district);
    rows.get(k).cells.set(c.item_id, cell);
  }
  return [...rows.values()];
}

const shortClass = (need, available) => {
  if (need <= 0) return 'gap-none';
  const short = Math.max(0, need - available);
  return short === 0 ? 'gap-ok' : short >= need ? 'gap-all' : 'gap-some';
};

export function renderGap(m) {
  const items = m.items.filter((i) => i.need > 0);
  if (!items.length) return [h('p', { class: 'empty', 'data-testid': 'gap-empty' }, t('noNeed'))];
  const rows = gapByDistrict(m);
  const head = h('tr', {}, h('th', { scope: 'col' }, t('district')),
    items.map((i) => h('th', { scope: 'col', title: i.item_name ?? i.item_id }, shorten(i.item_name ?? i.item_id, 18))));
  const body = rows.map((r) => h('tr', {},
    h('th', { scope: 'row' }, r.district ?? t('unknownDistrict')),
    items.map((i) => {
      const c = r.cells.get(i.item_id);
      if (!c || c.need <= 0) return h('td', { class: 'gap-none num' }, '–');
      const short = Math.max(0, c.need - c.available);
      return h('td', {
        class: `${shortClass(c.need, c.available)} num`,
        'data-district': r.district, 'data-item': i.item_id, 'data-need': c.need, 'data-available': c.available, 'data-shortfall': short,
        title: `${t('need')} ${fmtNumber(c.need)} · ${t('available')} ${fmtNumber(c.available)} · ${t('shortfall')} ${fmtNumber(short)}`,
      }, h('span', { class: 'need' }, fmtNumber(c.need)), h('span', { class: 'sep' }, ' / '), h('span', { class: 'avail' }, fmtNumber(c.available)));
    })));
  const totals = [
    ['need', (i) => i.need], ['available', (i) => i.available], ['pledged', (i) => i.pledged], ['shortfall', (i) => i.shortfall],
  ].map(([label, get]) => h('tr', { class: `total total-${label}` }, h('th', { scope: 'row' }, `${t('total')}: ${t(label)}`),
    items.map((i) => h('td', { class: `num${label === 'shortfall' && i.shortfall > 0 ? ' gap-all' : ''}`, 'data-item': i.item_id, 'data-total': label, 'data-value': get(i) }, fmtNumber(get(i))))));
  const legend = h('ul', { class: 'legend' },
    h('li', {}, h('span', { class: 'swatch gap-ok', 'aria-hidden': 'true' }), t('legendNone')),
    h('li', {}, h('span', { class: 'swatch gap-some', 'aria-hidden': 'true' }), t('legendSome')),
    h('li', {}, h('span', { class: 'swatch gap-all', 'aria-hidden': 'true' }), t('legendAll')));
  return [
    h('div', { class: 'scroll' }, h('table', { class: 'gap', 'data-testid': 'gap-table' }, h('caption', {}, t('gapCaption')), h('thead', {}, head), h('tbody', {}, body, totals))),
    legend,
  ];
}

export function renderDeliveries(timeline) {
  if (!timeline.days.length) return [h('p', { class: 'empty' }, t('none'))];
  const points = timeline.days.map((d) => ({ label: fmtDay(d.day), value: d.deliveries, title: `${fmtDay(d.day)}: ${fmtNumber(d.deliveries)} ${t('deliveriesUnit')}, ${fmtNumber(d.received_qty)}` }));
  return [barChart({ points, title: t('deliveriesTitle'), fmt: fmtNumber })];
}

export function renderFill(timeline) {
  if (!timeline.days.length) return [h('p', { class: 'empty' }, t('none'))];
  const points = timeline.days.map((d) => ({ label: fmtDay(d.day), value: d.fill_pct }));
  return [lineChart({ points, title: t('fillTitle') })];
}

/** rows: one per warehouse, { warehouse_id, warehouse_name, available: { category: quantity } }. */
export function renderStockByCategory(rows) {
  if (!rows.length) return [h('p', { class: 'empty' }, t('none'))];
  const present = new Set();
  const bars = rows.map((r) => {
    const parts = new Map();
    // a category the page does not know is drawn as 'other'
    for (const [category, value] of Object.entries(r.available)) {
      const key = CATEGORIES.includes(category) ? category : 'other';
      parts.set(key, (parts.get(key) ?? 0) + value);
      present.add(key);
    }
    return { label: shortPlace(r.warehouse_name ?? r.warehouse_id), parts: [...parts].map(([key, value]) => ({ key, value })) };
  });
  return stackedBars({
    rows: bars,
    order: CATEGORIES.filter((c) => present.has(c)),
    labelOf: (k) => tOr('cat', k),
    title: t('stockTitle'),
    fmt: fmtNumber,
  });
}

export function renderReadiness(plans, names) {
  if (!plans.length) return [h('p', { class: 'empty' }, t('noPlans'))];
  const byDistrict = new Map();
  for (const p of plans) {
    const d = p.district ?? '';
    if (!byDistrict.has(d)) byDistrict.set(d, []);
    byDistrict.get(d).push(p);
  }
  const out = [];
  for (const [district, ps] of [...byDistrict].sort(([a], [b]) => a.localeCompare(b))) {
    for (const p of ps) {
      out.push(h('table', { class: 'readiness', 'data-plan': p.plan_id },
        h('caption', {},
          h('span', { class: 'plan-district' }, district || t('unknownDistrict')), ' · ',
          `${p.name ?? p.plan_id} (${tOr('hazard', p.hazard)}, v${p.version}) `,
          h('span', { class: `pill ${coverageClass(p.coverage_pct)}`, 'data-value': p.coverage_pct }, t('readinessCoverage', { pct: p.coverage_pct }))),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('warehouse')), h('th', { scope: 'col' }, t('item')), h('th', { scope: 'col', class: 'num' }, t('target')),
          h('th', { scope: 'col', class: 'num' }, t('available')), h('th', { scope: 'col' }, t('coverage')))),
        h('tbody', {}, p.lines.map((l) => h('tr', {},
          h('td', { title: names.warehouse(l.warehouse_id) }, shortPlace(names.warehouse(l.warehouse_id))),
          h('td', {}, names.item(l.item_id)),
          h('td', { class: 'num' }, fmtNumber(l.target)),
          h('td', { class: 'num', 'data-value': l.available }, fmtNumber(l.available)),
          h('td', { class: 'nowrap' }, h('span', { class: 'meter', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': l.coverage_pct, 'aria-label': t('coverage') },
            h('span', { class: `meter-fill ${coverageClass(l.coverage_pct)} w${Math.round(l.coverage_pct / 5) * 5}` })), ` ${l.coverage_pct}%`))))));
    }
  }
  return out;
}

const coverageClass = (pct) => (pct >= 100 ? 'cov-full' : pct >= 60 ? 'cov-part' : 'cov-low');

export function renderCapacity(members, names) {
  const rows = members.filter((m) => m.declared.length || m.equipment_deployed.length || m.vehicles_on_the_road);
  if (!rows.length) return [h('p', { class: 'empty' }, t('noCapacity'))];
  const list = (m, kind) => m.declared.filter((d) => d.resource_kind === kind);
  return [h('table', { class: 'capacity' },
    h('caption', { class: 'visually-hidden' }, t('capacityTitle')),
    h('thead', {}, h('tr', {}, [t('member'), t('vehicles'), t('equipment'), t('people'), t('warehouses')].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.map((m) => h('tr', { 'data-member': m.member_id },
      h('th', { scope: 'row' }, m.name ?? m.member_id),
      h('td', { class: 'num' }, `${fmtNumber(m.vehicles_on_the_road)} / ${fmtNumber(m.vehicles_declared)}`,
        list(m, 'vehicle').length ? h('div', { class: 'sub' }, list(m, 'vehicle').map((v) => `${v.resource} ×${v.count}`).join(', ')) : null),
      h('td', {}, list(m, 'equipment').map((e) => `${e.detail?.kind ?? e.resource} ×${e.count}`).join(', ') || '–',
        m.equipment_deployed.length ? h('div', { class: 'sub warn' }, m.equipment_deployed.map((e) => `${names.item(e.item_id)}: ${t('deployed', { n: e.deployed })}`).join(', ')) : null),
      h('td', { class: 'num' }, list(m, 'people').length ? fmtNumber(list(m, 'people').reduce((a, p) => a + p.count, 0)) : '–'),
      h('td', {}, list(m, 'warehouse').map((w) => `${shortPlace(names.warehouse(w.resource))}${w.detail?.capacityM3 ? ` (${fmtNumber(w.detail.capacityM3)} m³)` : ''}`).join(', ') || '–')))))];
}
