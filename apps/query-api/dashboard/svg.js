// DOM and inline-SVG helpers, and the three small charts. No library: elements are built with
// createElement(NS), text with textContent (never innerHTML with data), so nothing from the read
// models can inject markup.

const SVG = 'http://www.w3.org/2000/svg';

/** An HTML element: h('td', { class: 'num' }, '12', child...). */
export function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  setAttrs(e, attrs);
  append(e, children);
  return e;
}

/** An SVG element. */
export function s(tag, attrs = {}, ...children) {
  const e = document.createElementNS(SVG, tag);
  setAttrs(e, attrs);
  append(e, children);
  return e;
}

function setAttrs(e, attrs) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'dataset') Object.assign(e.dataset, v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
}

function append(e, children) {
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces the content of a container. */
export function fill(container, ...children) {
  container.replaceChildren();
  append(container, children);
}

/** The axis top: four equal round steps (whole numbers), at or above the largest value. */
const niceMax = (v) => {
  if (v <= 0) return 4;
  const raw = v / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].map((m) => m * p).find((x) => x >= raw && Number.isInteger(x)) ?? 10 * p;
  return Math.max(1, step) * 4;
};

/**
 * A vertical bar chart: points [{ label, value, title }]. `fmt` formats values for labels; `title` is
 * read by screen readers (and shown as a tooltip).
 */
export function barChart({ points, title, fmt, width = 400, height = 190 }) {
  const m = { top: 18, right: 8, bottom: 28, left: 40 };
  const w = width - m.left - m.right;
  const hgt = height - m.top - m.bottom;
  const max = niceMax(Math.max(0, ...points.map((p) => p.value)));
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title, class: 'chart' }, s('title', {}, title));
  svg.append(axisY(max, m, w, hgt, fmt));
  const slot = w / Math.max(points.length, 1);
  const bw = Math.min(48, slot * 0.7);
  points.forEach((p, i) => {
    const x = m.left + i * slot + (slot - bw) / 2;
    const bh = (p.value / max) * hgt;
    const y = m.top + hgt - bh;
    svg.append(
      s('rect', { x, y, width: bw, height: Math.max(bh, p.value > 0 ? 1 : 0), class: 'bar', rx: 2 }, s('title', {}, p.title ?? `${p.label}: ${fmt(p.value)}`)),
      s('text', { x: x + bw / 2, y: y - 4, class: 'value', 'text-anchor': 'middle' }, fmt(p.value)),
    );
    if (points.length <= 16 || i % Math.ceil(points.length / 16) === 0) {
      svg.append(s('text', { x: x + bw / 2, y: height - 10, class: 'tick', 'text-anchor': 'middle' }, p.label));
    }
  });
  return svg;
}

/** A line chart of percentages (0-100): points [{ label, value }]. */
export function lineChart({ points, title, width = 400, height = 190 }) {
  const m = { top: 18, right: 14, bottom: 28, left: 40 };
  const w = width - m.left - m.right;
  const hgt = height - m.top - m.bottom;
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title, class: 'chart' }, s('title', {}, title));
  svg.append(axisY(100, m, w, hgt, (v) => `${v}%`));
  const step = points.length > 1 ? w / (points.length - 1) : 0;
  const xy = points.map((p, i) => [m.left + (points.length > 1 ? i * step : w / 2), m.top + hgt - (Math.min(100, p.value) / 100) * hgt]);
  if (xy.length > 1) {
    const area = `M${xy[0][0]},${m.top + hgt} ${xy.map(([x, y]) => `L${x},${y}`).join(' ')} L${xy.at(-1)[0]},${m.top + hgt} Z`;
    svg.append(s('path', { d: area, class: 'area' }), s('polyline', { points: xy.map(([x, y]) => `${x},${y}`).join(' '), class: 'line' }));
  }
  points.forEach((p, i) => {
    const [x, y] = xy[i];
    svg.append(s('circle', { cx: x, cy: y, r: 4, class: 'dot' }, s('title', {}, `${p.label}: ${p.value}%`)));
    if (i === points.length - 1 || points.length <= 8) svg.append(s('text', { x, y: y - 8, class: 'value', 'text-anchor': 'middle' }, `${p.value}%`));
    if (points.length <= 10 || i % Math.ceil(points.length / 10) === 0 || i === points.length - 1) {
      svg.append(s('text', { x, y: height - 10, class: 'tick', 'text-anchor': 'middle' }, p.label));
    }
  });
  return svg;
}

/**
 * Horizontal stacked bars: rows [{ label, parts: [{ key, value }] }], keys in `order` with a class
 * each (colour from the stylesheet) and a legend.
 */
export function stackedBars({ rows, order, labelOf, title, fmt, width = 400 }) {
  const rowH = 22;
  const m = { top: 6, right: 44, bottom: 6, left: 120 };
  const height = m.top + m.bottom + rows.length * rowH;
  const w = width - m.left - m.right;
  const max = Math.max(1, ...rows.map((r) => r.parts.reduce((a, p) => a + p.value, 0)));
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title, class: 'chart' }, s('title', {}, title));
  rows.forEach((r, i) => {
    const y = m.top + i * rowH;
    svg.append(s('text', { x: m.left - 6, y: y + rowH / 2 + 4, class: 'tick', 'text-anchor': 'end' }, shorten(r.label, 19), s('title', {}, r.label)));
    let x = m.left;
    let total = 0;
    for (const key of order) {
      const part = r.parts.find((p) => p.key === key);
      if (!part || part.value <= 0) continue;
      const pw = (part.value / max) * w;
      svg.append(s('rect', { x, y: y + 3, width: pw, height: rowH - 6, class: `seg seg-${key}` }, s('title', {}, `${r.label} · ${labelOf(key)}: ${fmt(part.value)}`)));
      x += pw;
      total += part.value;
    }
    svg.append(s('text', { x: x + 4, y: y + rowH / 2 + 4, class: 'value' }, fmt(total)));
  });
  const legend = h('ul', { class: 'legend' }, order.map((k) => h('li', {}, h('span', { class: `swatch seg-${k}`, 'aria-hidden': 'true' }), labelOf(k))));
  return [svg, legend];
}

function axisY(max, m, w, hgt, fmt) {
  const g = s('g', { class: 'axis' });
  for (let i = 0; i <= 4; i++) {
    const v = (max / 4) * i;
    const y = m.top + hgt - (v / max) * hgt;
    g.append(s('line', { x1: m.left, x2: m.left + w, y1: y, y2: y, class: i === 0 ? 'base' : 'grid' }), s('text', { x: m.left - 6, y: y + 4, class: 'tick', 'text-anchor': 'end' }, fmt(Math.round(v))));
  }
  return g;
}

/** A place's name without the words every one of them starts with (Gudang, Posko, Kabupaten...). */
export const shortPlace = (name) =>
  (name ?? '').replace(/^(Gudang Logistik|Gudang|Titik Pengungsian|Posko Utama|Posko)\s+/i, '').replace(/\b(Kabupaten|Buffer Stock)\s+/gi, '').trim();

export const shorten = (text, n) => (text && text.length > n ? `${text.slice(0, n - 1)}…` : (text ?? ''));
