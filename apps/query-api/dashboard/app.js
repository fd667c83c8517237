// The commander dashboard: asks for a token, reads the query API, and keeps the panels current from
// the live event stream (/events/stream) without reloading the page.

import { ApiError, getJson, saveToken, streamUrl, takeToken } from './api.js';
import { fmtTime, initialLanguage, language, setLanguage, t, tOr, translatePage } from './i18n.js';
import { renderMap } from './map.js';
import { renderCapacity, renderDeliveries, renderFigures, renderFill, renderGap, renderReadiness, renderStockByCategory } from './panels.js';
import { fill, h } from './svg.js';

const $ = (id) => document.getElementById(id);

/** Which panels a touched read-model table may change. */
const PANELS_OF_TABLE = {
  rm_requests: ['figures', 'gap', 'timeline'],
  rm_request_lines: ['figures', 'gap', 'timeline'],
  rm_shipments: ['figures', 'timeline', 'map', 'capacity'],
  rm_shipment_lines: ['timeline'],
  rm_pledges: ['figures', 'gap'],
  rm_pledge_lines: ['figures', 'gap'],
  rm_stock: ['gap', 'stock', 'readiness', 'capacity'],
  rm_items: ['items', 'stock', 'gap', 'readiness'],
  rm_warehouses: ['map', 'stock', 'gap', 'readiness'],
  rm_sites: ['map', 'gap'],
  rm_members: ['capacity'],
  rm_incidents: ['incidents'],
  rm_incident_districts: ['incidents', 'gap'],
  rm_plans: ['readiness'],
  rm_plan_targets: ['readiness'],
  rm_plan_activations: ['readiness'],
  rm_member_capacity: ['capacity'],
};
const INCIDENT_PANELS = ['figures', 'gap', 'timeline'];
// 'items' draws nothing of its own: it names the items readiness and capacity show by id.
const ALL_PANELS = ['incidents', ...INCIDENT_PANELS, 'map', 'stock', 'items', 'readiness', 'capacity'];

const state = {
  token: null,
  incidents: [],
  incidentId: null,
  data: {},
  names: { warehouse: new Map(), item: new Map() },
  namesChanged: false,
  errors: {},
  source: null,
  pending: new Set(),
  timer: null,
};

/** For tests and the curious: how often panels refreshed, and the last change heard. */
const live = (window.lumbungDashboard = { loadedAt: Date.now(), refreshes: 0, changes: 0, lastChange: null, connected: false });

const incidentPath = (suffix) => `/query/dashboard/incidents/${encodeURIComponent(state.incidentId)}${suffix}`;

const LOADERS = {
  incidents: async () => {
    state.incidents = (await getJson('/query/dashboard/incidents', state.token)).items;
    if (!state.incidents.some((i) => i.incident_id === state.incidentId)) state.incidentId = state.incidents[0]?.incident_id ?? null;
  },
  figures: async () => {
    state.data.figures = state.incidentId ? await getJson(incidentPath('/figures'), state.token) : null;
  },
  gap: async () => {
    state.data.gap = state.incidentId ? await getJson(`/query/incidents/${encodeURIComponent(state.incidentId)}/gap-matrix`, state.token) : null;
  },
  timeline: async () => {
    state.data.timeline = state.incidentId ? await getJson(incidentPath(`/timeline?utcOffsetMinutes=${-new Date().getTimezoneOffset()}`), state.token) : null;
  },
  // The map's one answer: the places with their positions, and the shipments on the road between them.
  map: async () => {
    const map = await getJson('/query/dashboard/places', state.token);
    state.data.places = map;
    const before = state.names.warehouse;
    state.names.warehouse = new Map(map.warehouses.map((w) => [w.id, w.name]));
    state.namesChanged ||= !sameNames(before, state.names.warehouse);
  },
  stock: async () => {
    state.data.stockByCategory = (await getJson('/query/dashboard/stock-by-category', state.token)).items;
  },
  items: async () => {
    const before = state.names.item;
    state.names.item = new Map((await getJson('/query/stock/items', state.token)).items.map((i) => [i.item_id, i.name]));
    state.namesChanged ||= !sameNames(before, state.names.item);
  },
  readiness: async () => {
    state.data.plans = (await getJson('/query/readiness/plans?limit=1000', state.token)).items;
  },
  capacity: async () => {
    state.data.capacity = (await getJson('/query/readiness/members', state.token)).items;
  },
};

/** Names of warehouses (from the map's places) and items (the item list), by id; the id where a name is not known. */
const names = {
  warehouse: (id) => state.names.warehouse.get(id) ?? id,
  item: (id) => state.names.item.get(id) ?? state.data.gap?.items.find((i) => i.item_id === id)?.item_name ?? id,
};

function sameNames(a, b) {
  if (a.size !== b.size) return false;
  for (const [id, name] of b) if (a.get(id) !== name) return false;
  return true;
}

/** Panels that show warehouses and items by name: a refresh that changed the names draws them again. */
const NAMED_PANELS = ['readiness', 'capacity'];

/** Where each panel draws (the incident picker shows its own errors through the other panels). */
const TARGETS = {
  figures: ['figures-body'], gap: ['gap-body'], timeline: ['deliveries-body', 'fill-body'], map: ['map-body'],
  stock: ['stock-body'], readiness: ['readiness-body'], capacity: ['capacity-body'],
};

function render(panel) {
  const err = state.errors[panel];
  if (err && TARGETS[panel]) {
    for (const id of TARGETS[panel]) fill($(id), h('p', { class: 'error', role: 'alert' }, t('loadFailed', { reason: err })));
    return;
  }
  const d = state.data;
  switch (panel) {
    case 'incidents':
      renderIncidentPicker();
      break;
    case 'figures':
      fill($('figures-body'), d.figures ? renderFigures(d.figures) : h('p', { class: 'empty' }, t('noIncidents')));
      break;
    case 'gap':
      fill($('gap-body'), d.gap ? renderGap(d.gap) : h('p', { class: 'empty' }, t('noIncidents')));
      renderMapPanel();
      break;
    case 'timeline':
      fill($('deliveries-body'), d.timeline ? renderDeliveries(d.timeline) : h('p', { class: 'empty' }, t('none')));
      fill($('fill-body'), d.timeline ? renderFill(d.timeline) : h('p', { class: 'empty' }, t('none')));
      break;
    case 'map':
      renderMapPanel();
      break;
    case 'stock':
      fill($('stock-body'), d.stockByCategory ? renderStockByCategory(d.stockByCategory) : h('p', { class: 'empty' }, t('loading')));
      renderMapPanel();
      break;
    case 'items':
      // nothing of its own: refresh() draws the named panels again
      break;
    case 'readiness':
      fill($('readiness-body'), d.plans ? renderReadiness(d.plans, names) : h('p', { class: 'empty' }, t('loading')));
      break;
    case 'capacity':
      fill($('capacity-body'), d.capacity ? renderCapacity(d.capacity, names) : h('p', { class: 'empty' }, t('loading')));
      break;
  }
}

function renderMapPanel() {
  const d = state.data;
  if (!d.places) return;
  const needBySite = new Map();
  for (const c of d.gap?.cells ?? []) needBySite.set(c.site_id, (needBySite.get(c.site_id) ?? 0) + c.need);
  const stockByWarehouse = new Map();
  for (const r of d.stockByCategory ?? []) stockByWarehouse.set(r.warehouse_id, Object.values(r.available).reduce((a, v) => a + v, 0));
  const transit = d.places.transit.map((s) => ({ id: s.dispatch_id, from: s.warehouse_id, to: s.destination_id }));
  const incident = state.incidents.find((i) => i.incident_id === state.incidentId);
  fill($('map-body'), renderMap({ warehouses: d.places.warehouses, sites: d.places.sites, needBySite, stockByWarehouse, transit, incidentDistricts: incident?.districts }));
}

function renderIncidentPicker() {
  const select = $('incident');
  const options = state.incidents.map((i) =>
    h('option', { value: i.incident_id, selected: i.incident_id === state.incidentId }, `${i.name ?? i.incident_id} · ${tOr('phase', i.phase)}`));
  fill(select, options.length ? options : h('option', { value: '' }, t('noIncidents')));
  select.disabled = !options.length;
  const incident = state.incidents.find((i) => i.incident_id === state.incidentId);
  $('incident-districts').textContent = incident ? incident.districts.join(' · ') : '';
}

/**
 * Loads the panels (in parallel), then renders them; a failing panel shows its error, the others carry
 * on. A refresh that outlives its token (signed out meanwhile) draws nothing.
 */
async function refresh(panels) {
  const token = state.token;
  if (!token) return;
  const list = [...new Set(panels)];
  if (list.includes('incidents')) {
    await load('incidents', token);
    if (state.token !== token) return;
    render('incidents');
  }
  await Promise.all(list.filter((p) => p !== 'incidents').map((p) => load(p, token)));
  if (state.token !== token) return;
  for (const p of ALL_PANELS) if (p !== 'incidents' && list.includes(p)) render(p);
  if (state.namesChanged) {
    state.namesChanged = false;
    for (const p of NAMED_PANELS) if (!list.includes(p) && (p === 'readiness' ? state.data.plans : state.data.capacity)) render(p);
  }
  live.refreshes += 1;
  $('updated').textContent = t('liveUpdated', { time: fmtTime(new Date()) });
  document.body.dataset.refreshes = String(live.refreshes);
}

async function load(panel, token) {
  try {
    await LOADERS[panel]();
    delete state.errors[panel];
  } catch (e) {
    if (state.token !== token) return;
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return signOut(e);
    state.errors[panel] = e.message;
  }
}

/** Refreshes what a change may have touched, gathering changes that arrive close together. */
function onChange(change) {
  live.changes += 1;
  live.lastChange = change;
  const panels = change.truncated ? ALL_PANELS : change.tables.flatMap((tb) => PANELS_OF_TABLE[tb] ?? []);
  for (const p of panels) state.pending.add(p);
  if (change.incidents?.length && !change.incidents.every((i) => state.incidents.some((x) => x.incident_id === i))) state.pending.add('incidents');
  clearTimeout(state.timer);
  state.timer = setTimeout(() => {
    const todo = [...state.pending];
    state.pending.clear();
    if (todo.length) void refresh(todo);
  }, 250);
}

function connect() {
  state.source?.close();
  setLive('connecting');
  const source = new EventSource(streamUrl(state.token, state.incidentId));
  state.source = source;
  // `ready` comes once the server hears of every later change: whatever was read before may have
  // missed one, so everything is read again (first connection and every reconnection alike).
  source.addEventListener('ready', () => {
    setLive('on');
    void refresh(ALL_PANELS);
  });
  source.addEventListener('changed', (e) => {
    try {
      onChange(JSON.parse(e.data));
    } catch {
      // a malformed message is ignored; the next one refreshes
    }
  });
  source.addEventListener('shutdown', () => setLive('off'));
  // The token the stream was opened with has expired: reconnecting with it would be refused.
  source.addEventListener('expired', () => {
    if (state.source === source) signOut(new ApiError(401, 'token expired'));
  });
  source.onerror = () => {
    setLive('off');
    // EventSource reconnects by itself (retry:), except after a refusal (401/403), which closes it.
    if (source.readyState === EventSource.CLOSED) setTimeout(() => state.source === source && connect(), 5000);
  };
}

function setLive(status) {
  live.connected = status === 'on';
  const el = $('live');
  el.dataset.status = status;
  el.querySelector('.live-text').textContent = t(status === 'on' ? 'liveOn' : status === 'off' ? 'liveOff' : 'liveConnecting');
}

function signOut(err) {
  state.source?.close();
  state.source = null;
  state.token = null;
  saveToken(null);
  $('app').hidden = true;
  $('signin').hidden = false;
  $('signout').hidden = true;
  const msg = $('token-error');
  if (err) {
    msg.textContent = err.status === 403 ? t('roleRefused', { reason: err.message }) : t('tokenRejected', { reason: err.message });
    msg.hidden = false;
  } else msg.hidden = true;
}

async function start(token) {
  state.token = token;
  $('signin').hidden = true;
  $('app').hidden = false;
  $('signout').hidden = false;
  connect();
  await refresh(ALL_PANELS);
}

function switchLanguage(next) {
  setLanguage(next);
  for (const b of document.querySelectorAll('[data-lang]')) b.setAttribute('aria-pressed', String(b.dataset.lang === language()));
  translatePage();
  renderIncidentPicker();
  for (const p of ALL_PANELS) if (p !== 'incidents') render(p);
  setLive(live.connected ? 'on' : $('live').dataset.status || 'connecting');
  $('updated').textContent = t('liveUpdated', { time: fmtTime(new Date()) });
}

function init() {
  initialLanguage();
  switchLanguage(language());
  for (const b of document.querySelectorAll('[data-lang]')) b.addEventListener('click', () => switchLanguage(b.dataset.lang));
  $('incident').addEventListener('change', (e) => {
    state.incidentId = e.target.value;
    renderIncidentPicker();
    void refresh([...INCIDENT_PANELS, 'map']);
    connect();
  });
  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const token = $('token-input').value.trim();
    if (!token) return;
    saveToken(token);
    $('token-input').value = '';
    void start(token);
  });
  $('signout').addEventListener('click', () => signOut());
  const token = takeToken();
  if (token) void start(token);
  else signOut();
}

init();
