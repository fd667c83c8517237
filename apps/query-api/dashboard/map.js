// The map: warehouses and sites placed by latitude/longitude on a plain equirectangular projection
// (longitude scaled by the cosine of the mid latitude, so distances look right near the equator and
// beyond), with each district's name at the middle of its places. No tiles, nothing fetched.

import { fmtNumber, t } from './i18n.js';
import { h, s, shorten, shortPlace } from './svg.js';

const WIDTH = 520;
const HEIGHT = 330;
const PAD = 34;

/**
 * warehouses, sites: [{ id, name, district, lat, lon }] (lat and lon null where the position is not known)
 * needBySite: Map(siteId -> open need), stockByWarehouse: Map(warehouseId -> available),
 * transit: [{ from: warehouseId, to: siteId | warehouseId, id }]
 */
export function renderMap({ warehouses, sites, needBySite, stockByWarehouse, transit, incidentDistricts }) {
  const located = [];
  for (const [kind, list] of [['warehouse', warehouses], ['site', sites]]) {
    for (const p of list) if (Number.isFinite(p.lat) && Number.isFinite(p.lon)) located.push({ ...p, kind });
  }
  if (!located.length) return [h('p', { class: 'empty' }, t('noPositions'))];
  const lats = located.map((p) => p.lat);
  const lons = located.map((p) => p.lon);
  const midLat = (Math.min(...lats) + Math.max(...lats)) / 2;
  const k = Math.cos((midLat * Math.PI) / 180);
  const x0 = Math.min(...lons) * k;
  const x1 = Math.max(...lons) * k;
  const y0 = -Math.max(...lats);
  const y1 = -Math.min(...lats);
  const spanX = Math.max(x1 - x0, 0.05);
  const spanY = Math.max(y1 - y0, 0.05);
  const scale = Math.min((WIDTH - 2 * PAD) / spanX, (HEIGHT - 2 * PAD) / spanY);
  const offX = (WIDTH - spanX * scale) / 2;
  const offY = (HEIGHT - spanY * scale) / 2;
  const project = (lat, lon) => [offX + (lon * k - x0) * scale, offY + (-lat - y0) * scale];
  const at = new Map(located.map((p) => [`${p.kind}|${p.id}`, project(p.lat, p.lon)]));

  const svg = s('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-labelledby': 'map-title map-desc', class: 'map' },
    s('title', { id: 'map-title' }, t('mapTitle')),
    s('desc', { id: 'map-desc' }, t('mapDesc')),
    s('rect', { x: 0, y: 0, width: WIDTH, height: HEIGHT, class: 'sea' }));

  svg.append(graticule(project, Math.min(...lats), Math.max(...lats), Math.min(...lons), Math.max(...lons)));

  // District areas (a ring around their places) under everything; incident districts stand out.
  const byDistrict = new Map();
  for (const p of located) {
    const d = p.district ?? '';
    if (!byDistrict.has(d)) byDistrict.set(d, []);
    byDistrict.get(d).push(at.get(`${p.kind}|${p.id}`));
  }
  const affected = new Set((incidentDistricts ?? []).map((d) => d.trim().toLowerCase()));
  const rings = [];
  for (const [d, pts] of byDistrict) {
    if (!d) continue;
    const cx = pts.reduce((a, [x]) => a + x, 0) / pts.length;
    const cy = pts.reduce((a, [, y]) => a + y, 0) / pts.length;
    const r = Math.max(22, ...pts.map(([x, y]) => Math.hypot(x - cx, y - cy) + 14));
    const hit = affected.has(d.trim().toLowerCase());
    rings.push({ d, cx, cy, r, hit });
    svg.append(s('circle', { cx, cy, r, class: hit ? 'district affected' : 'district' }));
  }
  for (const tr of transit) {
    const a = at.get(`warehouse|${tr.from}`);
    const b = at.get(`site|${tr.to}`) ?? at.get(`warehouse|${tr.to}`);
    if (!a || !b) continue;
    svg.append(s('line', { x1: a[0], y1: a[1], x2: b[0], y2: b[1], class: 'transit' }, s('title', {}, `${tr.id}: ${tr.from} → ${tr.to}`)));
  }

  for (const p of located) {
    const [x, y] = at.get(`${p.kind}|${p.id}`);
    if (p.kind === 'warehouse') {
      const stock = stockByWarehouse.get(p.id) ?? 0;
      const size = 9 + Math.min(8, Math.sqrt(stock) / 8);
      svg.append(s('rect', { x: x - size / 2, y: y - size / 2, width: size, height: size, class: 'warehouse', dataset: { place: p.id } },
        s('title', {}, `${t('legendWarehouse')}: ${p.name ?? p.id} (${p.district ?? ''}) · ${t('available')} ${fmtNumber(stock)}`)));
    } else {
      const need = needBySite.get(p.id) ?? 0;
      svg.append(s('circle', { cx: x, cy: y, r: need > 0 ? 7 : 5.5, class: need > 0 ? 'site need' : 'site', dataset: { place: p.id } },
        s('title', {}, `${t('legendSite')}: ${p.name ?? p.id} (${p.district ?? ''})${need > 0 ? ` · ${t('need')} ${fmtNumber(need)}` : ''}`)));
    }
  }
  svg.append(...placeLabels(located, at, rings));

  const legend = h('ul', { class: 'legend' },
    h('li', {}, h('span', { class: 'swatch warehouse', 'aria-hidden': 'true' }), t('legendWarehouse')),
    h('li', {}, h('span', { class: 'swatch site', 'aria-hidden': 'true' }), t('legendSite')),
    h('li', {}, h('span', { class: 'swatch site need', 'aria-hidden': 'true' }), t('legendSiteNeed')),
    h('li', {}, h('span', { class: 'swatch transit', 'aria-hidden': 'true' }), t('legendTransit')));
  return [svg, legend];
}

/**
 * Labels without overlaps: district names first (above their ring, else below), then each place's
 * short name at the first free spot of right, left, above, below; a name with no free spot is left
 * out (the marker's tooltip still has it). Text boxes are estimated from the length of the text.
 */
function placeLabels(located, at, rings) {
  const boxes = [];
  const free = (b) => b.x0 >= 0 && b.x1 <= WIDTH && b.y0 >= 0 && b.y1 <= HEIGHT && !boxes.some((o) => b.x0 < o.x1 && b.x1 > o.x0 && b.y0 < o.y1 && b.y1 > o.y0);
  const box = (x, y, w, hgt, anchor) => {
    const x0 = anchor === 'end' ? x - w : anchor === 'middle' ? x - w / 2 : x;
    return { x0, x1: x0 + w, y0: y - hgt + 2, y1: y + 3 };
  };
  for (const [x, y] of at.values()) boxes.push({ x0: x - 7, x1: x + 7, y0: y - 7, y1: y + 7 });
  const out = [];
  for (const ring of rings) {
    const w = ring.d.length * 7.2;
    for (const y of [ring.cy - ring.r - 4, ring.cy + ring.r + 13, ring.cy + 4]) {
      const b = box(ring.cx, y, w, 12, 'middle');
      if (!free(b)) continue;
      boxes.push(b);
      out.push(s('text', { x: ring.cx, y, class: ring.hit ? 'district-label affected' : 'district-label', 'text-anchor': 'middle' }, ring.d));
      break;
    }
  }
  for (const p of located) {
    const [x, y] = at.get(`${p.kind}|${p.id}`);
    const text = shorten(shortPlace(p.name ?? p.id), 24);
    const w = text.length * 5.6;
    const spots = [[x + 9, y + 4, 'start'], [x - 9, y + 4, 'end'], [x, y - 10, 'middle'], [x, y + 17, 'middle']];
    for (const [lx, ly, anchor] of spots) {
      const b = box(lx, ly, w, 10, anchor);
      if (!free(b)) continue;
      boxes.push(b);
      out.push(s('text', { x: lx, y: ly, class: 'place-label', 'text-anchor': anchor }, text));
      break;
    }
  }
  return out;
}

function graticule(project, minLat, maxLat, minLon, maxLon) {
  const g = s('g', { class: 'graticule', 'aria-hidden': 'true' });
  const step = maxLat - minLat > 4 || maxLon - minLon > 4 ? 1 : 0.5;
  for (let lat = Math.floor(minLat / step) * step - step; lat <= maxLat + step; lat += step) {
    const [xa, y] = project(lat, minLon - 2);
    const [xb] = project(lat, maxLon + 2);
    g.append(s('line', { x1: xa, x2: xb, y1: y, y2: y }));
    g.append(s('text', { x: 4, y: y - 2, class: 'grid-label' }, `${Math.abs(lat).toFixed(1)}°${lat < 0 ? 'S' : 'N'}`));
  }
  for (let lon = Math.floor(minLon / step) * step - step; lon <= maxLon + step; lon += step) {
    const [x, ya] = project(minLat - 2, lon);
    const [, yb] = project(maxLat + 2, lon);
    g.append(s('line', { x1: x, x2: x, y1: ya, y2: yb }));
    g.append(s('text', { x: x + 2, y: HEIGHT - 4, class: 'grid-label' }, `${lon.toFixed(1)}°E`));
  }
  return g;
}
