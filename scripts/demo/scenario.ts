/**
 * The demo scenario: a Batanghari river flood in Jambi province. Names, places and quantities are
 * realistic for a provincial logistics cluster (klaster logistik) but invented; coordinates are the
 * real towns' approximate positions.
 */

export const incident = {
  incidentId: 'banjir-batanghari-2024',
  name: 'Banjir Sungai Batanghari, Provinsi Jambi',
  type: 'flood',
  districts: ['Batanghari', 'Muaro Jambi', 'Kota Jambi', 'Tebo', 'Sarolangun'],
} as const;

export const members = [
  { memberId: 'bpbd-jambi', name: 'BPBD Provinsi Jambi', kind: 'government', contactName: 'Pusdalops BPBD Provinsi Jambi', contactPhone: '+62 741 7552 00' },
  { memberId: 'dinsos-jambi', name: 'Dinas Sosial Provinsi Jambi', kind: 'government', contactName: 'Bidang Perlindungan dan Jaminan Sosial' },
  { memberId: 'pmi-jambi', name: 'PMI Provinsi Jambi', kind: 'community', contactName: 'Markas PMI Provinsi Jambi' },
  { memberId: 'beras-batanghari', name: 'UD Beras Batanghari Makmur', kind: 'business', contactName: 'H. Syamsul Bahri' },
  { memberId: 'fprb-muaro-jambi', name: 'Forum PRB Muaro Jambi', kind: 'community', contactName: 'Koordinator relawan FPRB' },
] as const;

export const warehouses = [
  { warehouseId: 'gd-bpbd-prov', name: 'Gudang Logistik BPBD Provinsi Jambi', ownerMemberId: 'bpbd-jambi', district: 'Kota Jambi', lat: -1.6101, lon: 103.6131, address: 'Jl. Jend. Sudirman, Thehok, Kota Jambi' },
  { warehouseId: 'gd-bpbd-batanghari', name: 'Gudang BPBD Kabupaten Batanghari', ownerMemberId: 'bpbd-jambi', district: 'Batanghari', lat: -1.6957, lon: 103.2662, address: 'Muara Bulian' },
  { warehouseId: 'gd-bpbd-tebo', name: 'Gudang BPBD Kabupaten Tebo', ownerMemberId: 'bpbd-jambi', district: 'Tebo', lat: -1.4887, lon: 102.4436, address: 'Muara Tebo' },
  { warehouseId: 'gd-dinsos-jambi', name: 'Gudang Buffer Stock Dinas Sosial', ownerMemberId: 'dinsos-jambi', district: 'Kota Jambi', lat: -1.5903, lon: 103.6117 },
  { warehouseId: 'gd-pmi-jambi', name: 'Gudang PMI Provinsi Jambi', ownerMemberId: 'pmi-jambi', district: 'Kota Jambi', lat: -1.6235, lon: 103.5917 },
] as const;

export const sites = [
  { siteId: 'posko-muara-bulian', name: 'Posko Utama Muara Bulian', type: 'posko', district: 'Batanghari', lat: -1.7, lon: 103.27 },
  { siteId: 'pengungsian-pemayung', name: 'Titik Pengungsian SDN 12 Pemayung', type: 'evacuation-site', district: 'Batanghari', lat: -1.665, lon: 103.38 },
  { siteId: 'pengungsian-maro-sebo', name: 'Titik Pengungsian Masjid Agung Maro Sebo', type: 'evacuation-site', district: 'Muaro Jambi', lat: -1.54, lon: 103.69 },
  { siteId: 'pengungsian-kota-baru', name: 'Titik Pengungsian GOR Kota Baru', type: 'evacuation-site', district: 'Kota Jambi', lat: -1.63, lon: 103.59 },
  { siteId: 'posko-sarolangun', name: 'Posko Kabupaten Sarolangun', type: 'posko', district: 'Sarolangun', lat: -2.2945, lon: 102.705 },
  { siteId: 'desa-tebo-ilir', name: 'Desa Tebo Ilir', type: 'village', district: 'Tebo', lat: -1.45, lon: 102.6 },
] as const;

export const items = [
  { itemId: 'family-kit', code: 'NF-FAMKIT', name: 'Family kit (perlengkapan keluarga)', unit: 'set', category: 'non-food' },
  { itemId: 'rice-5kg', code: 'FD-RICE-5', name: 'Beras 5 kg', unit: 'sack', category: 'food' },
  { itemId: 'noodles-carton', code: 'FD-NOODLE-40', name: 'Mi instan (karton isi 40)', unit: 'carton', category: 'food', packSize: 40 },
  { itemId: 'ready-meal', code: 'FD-LAUK', name: 'Lauk pauk siap saji (paket)', unit: 'package', category: 'food' },
  { itemId: 'water-600ml', code: 'WS-WATER-600', name: 'Air minum 600 ml (karton isi 24)', unit: 'carton', category: 'wash', packSize: 24 },
  { itemId: 'hygiene-kit', code: 'WS-HYGIENE', name: 'Hygiene kit', unit: 'set', category: 'wash' },
  { itemId: 'baby-kit', code: 'HL-BABYKIT', name: 'Kit bayi (baby kit)', unit: 'set', category: 'health' },
  { itemId: 'tarpaulin', code: 'SH-TARP-4x6', name: 'Terpal 4 x 6 m', unit: 'sheet', category: 'shelter' },
  { itemId: 'family-tent', code: 'SH-TENT-FAM', name: 'Tenda keluarga', unit: 'unit', category: 'shelter' },
  { itemId: 'blanket', code: 'NF-BLANKET', name: 'Selimut', unit: 'pcs', category: 'non-food' },
  { itemId: 'mattress', code: 'NF-MATTRESS', name: 'Kasur lipat', unit: 'pcs', category: 'non-food' },
  { itemId: 'rubber-boat', code: 'EQ-BOAT-RUB', name: 'Perahu karet + mesin 15 PK', unit: 'unit', category: 'equipment' },
  { itemId: 'generator-5kva', code: 'EQ-GENSET-5', name: 'Genset 5 kVA', unit: 'unit', category: 'equipment' },
  { itemId: 'water-pump', code: 'EQ-PUMP', name: 'Pompa air alkon 3 inci', unit: 'unit', category: 'equipment' },
  { itemId: 'platoon-tent', code: 'EQ-TENT-PLT', name: 'Tenda pleton', unit: 'unit', category: 'equipment' },
] as const;

type Line = { itemId: string; quantity: number };
const l = (itemId: string, quantity: number): Line => ({ itemId, quantity });

/** The goods already in the warehouses when the flood warning comes (procurements and buffer stock). */
export const openingStock: Array<{ key: string; warehouseId: string; receiptId: string; reference: string; lines: Array<Line & { batch?: string; expiry?: string }> }> = [
  {
    key: 'stock-bpbd-prov',
    warehouseId: 'gd-bpbd-prov',
    receiptId: 'GRN-BPBD-2024-0101',
    reference: 'SPK/BPBD-JBI/2024/014',
    lines: [
      { itemId: 'rice-5kg', quantity: 1200, batch: 'BLG-2402', expiry: '2025-02-28' },
      l('family-kit', 600),
      l('tarpaulin', 800),
      l('blanket', 1500),
      l('mattress', 400),
      l('hygiene-kit', 700),
      l('baby-kit', 200),
      { itemId: 'water-600ml', quantity: 900, expiry: '2025-06-30' },
      { itemId: 'noodles-carton', quantity: 600, expiry: '2024-11-30' },
      l('family-tent', 120),
      l('generator-5kva', 6),
      l('rubber-boat', 4),
      l('water-pump', 5),
      l('platoon-tent', 8),
    ],
  },
  {
    key: 'stock-dinsos',
    warehouseId: 'gd-dinsos-jambi',
    receiptId: 'GRN-DINSOS-2024-0042',
    reference: 'Buffer stock Kemensos 2024',
    lines: [l('rice-5kg', 800), { itemId: 'noodles-carton', quantity: 500, expiry: '2024-12-31' }, l('family-kit', 300), l('blanket', 600), l('ready-meal', 1000)],
  },
  {
    key: 'stock-pmi',
    warehouseId: 'gd-pmi-jambi',
    receiptId: 'GRN-PMI-2024-0007',
    reference: 'PMI Pusat: kiriman logistik 2024-02',
    lines: [l('hygiene-kit', 400), l('water-600ml', 500), l('blanket', 300), l('baby-kit', 80)],
  },
];

export const lines = l;
