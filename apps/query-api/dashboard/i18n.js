// Bahasa Indonesia (default) and English. Static text carries data-i18n="key" (and data-i18n-attr for
// attributes); panels call t() when they render, and re-render on a language switch.

const STRINGS = {
  id: {
    title: 'Dasbor Komandan',
    subtitle: 'Klaster Logistik',
    skip: 'Lompat ke isi',
    language: 'Bahasa',
    incident: 'Kejadian',
    noIncidents: 'Belum ada kejadian',
    tokenTitle: 'Masuk dengan token',
    tokenHelp: 'Tempel token bearer (peran komandan, auditor, pusdalops atau admin). Token hanya disimpan di tab ini.',
    tokenLabel: 'Token akses',
    tokenSubmit: 'Masuk',
    tokenRejected: 'Token ditolak: {reason}',
    roleRefused: 'Peran token ini tidak dapat membuka dasbor ({reason})',
    signOut: 'Keluar',
    liveConnecting: 'Menyambung…',
    liveOn: 'Langsung',
    liveOff: 'Terputus, menyambung ulang…',
    liveUpdated: 'diperbarui {time}',
    loading: 'Memuat…',
    loadFailed: 'Gagal memuat: {reason}',
    none: 'Tidak ada data',
    phase_preparedness: 'prabencana',
    phase_emergency: 'tanggap darurat',
    phase_recovery: 'pascabencana',
    figuresTitle: 'Angka kunci kejadian',
    requestsOpen: 'Permintaan terbuka',
    requestsOpenNote: 'dari {total} permintaan ({submitted} menunggu persetujuan)',
    delivered: 'Kebutuhan disetujui yang terkirim',
    deliveredNote: '{delivered} dari {approved} satuan',
    meanTime: 'Rata-rata permintaan → kiriman pertama',
    meanTimeNote: '{n} permintaan sudah menerima kiriman',
    inTransit: 'Kiriman dalam perjalanan',
    overdueNote: '{overdue} terlambat',
    pledges: 'Janji bantuan belum terkirim',
    pledgesNote: '{n} janji diterima masih terbuka',
    gapTitle: 'Matriks kesenjangan: kebutuhan vs stok per kabupaten/kota',
    gapCaption: 'Per sel: kebutuhan yang belum dikirim / stok tersedia di gudang kabupaten/kota itu. Warna menurut kekurangan.',
    district: 'Kabupaten/kota',
    item: 'Barang',
    total: 'Jumlah',
    need: 'Kebutuhan',
    available: 'Tersedia',
    pledged: 'Dijanjikan',
    shortfall: 'Kekurangan',
    legendNone: 'tercukupi',
    legendSome: 'kurang sebagian',
    legendAll: 'kurang seluruhnya',
    noNeed: 'Tidak ada kebutuhan yang belum dikirim untuk kejadian ini.',
    unknownDistrict: '(tanpa kabupaten)',
    mapTitle: 'Peta gudang dan posko',
    mapDesc: 'Proyeksi sederhana lintang/bujur gudang dan lokasi, dengan nama kabupaten/kota.',
    legendWarehouse: 'Gudang',
    legendSite: 'Posko / pengungsian',
    legendSiteNeed: 'Lokasi dengan kebutuhan terbuka',
    legendTransit: 'Kiriman dalam perjalanan',
    noPositions: 'Belum ada lokasi dengan koordinat.',
    deliveriesTitle: 'Kiriman diterima per hari',
    fillTitle: 'Tingkat pemenuhan dari waktu ke waktu',
    stockTitle: 'Stok tersedia per gudang dan kategori',
    deliveriesUnit: 'kiriman',
    readinessTitle: 'Kesiapsiagaan: stok vs rencana operasi tiap kabupaten/kota',
    readinessCoverage: 'cakupan {pct}%',
    warehouse: 'Gudang',
    target: 'Target',
    coverage: 'Cakupan',
    noPlans: 'Belum ada rencana operasi.',
    capacityTitle: 'Kapasitas yang dinyatakan anggota',
    member: 'Anggota',
    vehicles: 'Kendaraan (di jalan / dinyatakan)',
    equipment: 'Peralatan',
    people: 'Personel',
    warehouses: 'Gudang',
    noCapacity: 'Belum ada kapasitas yang dinyatakan.',
    deployed: '{n} dipinjamkan',
    cat_food: 'pangan',
    'cat_non-food': 'nonpangan',
    cat_shelter: 'hunian',
    cat_wash: 'air & sanitasi',
    cat_health: 'kesehatan',
    cat_equipment: 'peralatan',
    cat_other: 'lainnya',
    seconds: '{n} dtk',
    minutes: '{n} mnt',
    hours: '{n} jam',
    days: '{n} hari',
    hazard_flood: 'banjir',
    hazard_landslide: 'longsor',
  },
  en: {
    title: 'Commander dashboard',
    subtitle: 'Logistics Cluster',
    skip: 'Skip to content',
    language: 'Language',
    incident: 'Incident',
    noIncidents: 'No incidents yet',
    tokenTitle: 'Sign in with a token',
    tokenHelp: 'Paste a bearer token (commander, auditor, EOC or admin role). The token is kept in this tab only.',
    tokenLabel: 'Access token',
    tokenSubmit: 'Sign in',
    tokenRejected: 'Token refused: {reason}',
    roleRefused: "This token's role cannot open the dashboard ({reason})",
    signOut: 'Sign out',
    liveConnecting: 'Connecting…',
    liveOn: 'Live',
    liveOff: 'Disconnected, reconnecting…',
    liveUpdated: 'updated {time}',
    loading: 'Loading…',
    loadFailed: 'Could not load: {reason}',
    none: 'No data',
    phase_preparedness: 'preparedness',
    phase_emergency: 'emergency response',
    phase_recovery: 'recovery',
    figuresTitle: 'Incident key figures',
    requestsOpen: 'Open requests',
    requestsOpenNote: 'of {total} requests ({submitted} awaiting approval)',
    delivered: 'Approved need delivered',
    deliveredNote: '{delivered} of {approved} units',
    meanTime: 'Mean time request → first delivery',
    meanTimeNote: '{n} requests have received a delivery',
    inTransit: 'Shipments in transit',
    overdueNote: '{overdue} overdue',
    pledges: 'Pledges outstanding',
    pledgesNote: '{n} accepted pledges still open',
    gapTitle: 'Gap matrix: need vs stock per district',
    gapCaption: 'Each cell: need not yet dispatched / stock available in that district’s warehouses. Coloured by shortfall.',
    district: 'District',
    item: 'Item',
    total: 'Total',
    need: 'Need',
    available: 'Available',
    pledged: 'Pledged',
    shortfall: 'Shortfall',
    legendNone: 'covered',
    legendSome: 'partly short',
    legendAll: 'fully short',
    noNeed: 'No need left to dispatch for this incident.',
    unknownDistrict: '(no district)',
    mapTitle: 'Map of warehouses and sites',
    mapDesc: 'A plain latitude/longitude projection of warehouses and sites, with district names.',
    legendWarehouse: 'Warehouse',
    legendSite: 'Command post / evacuation site',
    legendSiteNeed: 'Site with open need',
    legendTransit: 'Shipment in transit',
    noPositions: 'No places with coordinates yet.',
    deliveriesTitle: 'Deliveries received per day',
    fillTitle: 'Fill rate over time',
    stockTitle: 'Available stock per warehouse and category',
    deliveriesUnit: 'deliveries',
    readinessTitle: "Preparedness: stock vs each district's operations plan",
    readinessCoverage: '{pct}% covered',
    warehouse: 'Warehouse',
    target: 'Target',
    coverage: 'Coverage',
    noPlans: 'No operations plans yet.',
    capacityTitle: 'Declared capacity of the members',
    member: 'Member',
    vehicles: 'Vehicles (on the road / declared)',
    equipment: 'Equipment',
    people: 'People',
    warehouses: 'Warehouses',
    noCapacity: 'No capacity declared yet.',
    deployed: '{n} on loan',
    cat_food: 'food',
    'cat_non-food': 'non-food',
    cat_shelter: 'shelter',
    cat_wash: 'WASH',
    cat_health: 'health',
    cat_equipment: 'equipment',
    cat_other: 'other',
    seconds: '{n} s',
    minutes: '{n} min',
    hours: '{n} h',
    days: '{n} days',
    hazard_flood: 'flood',
    hazard_landslide: 'landslide',
  },
};

export const LANGUAGES = ['id', 'en'];
const KEY = 'lumbung.dashboard.lang';
let lang = 'id';

export function initialLanguage() {
  try {
    const saved = localStorage.getItem(KEY);
    if (saved && LANGUAGES.includes(saved)) lang = saved;
  } catch {
    // storage may be off (private mode): stay on the default
  }
  return lang;
}

export function setLanguage(next) {
  if (!LANGUAGES.includes(next)) return;
  lang = next;
  try {
    localStorage.setItem(KEY, next);
  } catch {
    // not remembered, still switched
  }
}

export const language = () => lang;

/** The text of `key` in the current language, with {name} placeholders filled from `vars`. */
export function t(key, vars = {}) {
  const s = STRINGS[lang][key] ?? STRINGS.id[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => (vars[k] === undefined ? '' : String(vars[k])));
}

/** A translation when there is one (phases, categories, hazards), else the value itself. */
export function tOr(prefix, value) {
  if (value === null || value === undefined) return '';
  const key = `${prefix}_${value}`;
  return STRINGS[lang][key] ?? String(value);
}

const locale = () => (lang === 'id' ? 'id-ID' : 'en-GB');
export const fmtNumber = (n) => new Intl.NumberFormat(locale()).format(n ?? 0);
export const fmtTime = (d) => new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(d);
export const fmtDay = (isoDay) => new Intl.DateTimeFormat(locale(), { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(new Date(`${isoDay}T00:00:00Z`));

/** Seconds as the largest unit that reads well (2 h, 3 days). */
export function fmtDuration(s) {
  if (s === null || s === undefined) return '–';
  if (s < 90) return t('seconds', { n: Math.round(s) });
  if (s < 90 * 60) return t('minutes', { n: Math.round(s / 60) });
  if (s < 36 * 3600) return t('hours', { n: fmtNumber(Math.round(s / 360) / 10) });
  return t('days', { n: fmtNumber(Math.round(s / 8640) / 10) });
}

/** Applies the language to the static text of the page. */
export function translatePage(root = document) {
  document.documentElement.lang = lang;
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':');
      if (attr && key) el.setAttribute(attr.trim(), t(key.trim()));
    }
  }
}
