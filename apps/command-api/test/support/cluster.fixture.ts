import type { LumbungClient } from './lumbung.client';

/**
 * Reference data of a small cluster, registered over HTTP by an admin: three members, three
 * warehouses, two sites, a catalogue with one equipment item, an incident in emergency and one in
 * preparedness. Ids are fixed: each suite has its own store.
 */
export const cluster = {
  members: { bpbd: 'bpbd-jambi', pmi: 'pmi-jambi', distributor: 'beras-sejahtera' },
  warehouses: { main: 'gd-bpbd-jambi', pmi: 'gd-pmi-jambi', tebo: 'gd-bpbd-tebo', race: 'gd-race' },
  sites: { pemayung: 'posko-pemayung', sengeti: 'posko-sengeti' },
  items: { rice: 'rice-5kg', kit: 'family-kit', water: 'water-600ml', noodles: 'noodles', genset: 'genset-5kva', old: 'old-biscuit' },
  incidents: { flood: 'banjir-batanghari', prep: 'siaga-banjir-tebo' },
} as const;

export interface Tokens {
  admin: string;
  eoc: string;
  commander: string;
  auditor: string;
  /** warehouse officer of gd-bpbd-jambi and gd-race */
  warehouse: string;
  /** warehouse officer of the PMI warehouse only */
  warehousePmi: string;
  warehouseTebo: string;
  /** member user of PMI */
  pmi: string;
  distributor: string;
  /** site officer of posko-pemayung */
  site: string;
  siteSengeti: string;
}

export function tokens(c: LumbungClient): Tokens {
  const { members: m, warehouses: w, sites: s } = cluster;
  return {
    admin: c.token({ sub: 'admin-1', role: 'admin' }),
    eoc: c.token({ sub: 'pusdalops-1', role: 'eoc', member: m.bpbd }),
    commander: c.token({ sub: 'dansatgas', role: 'commander' }),
    auditor: c.token({ sub: 'inspektorat', role: 'auditor' }),
    warehouse: c.token({ sub: 'gudang-1', role: 'warehouse', member: m.bpbd, warehouses: [w.main, w.race] }),
    warehousePmi: c.token({ sub: 'gudang-pmi', role: 'warehouse', member: m.pmi, warehouses: [w.pmi] }),
    warehouseTebo: c.token({ sub: 'gudang-tebo', role: 'warehouse', member: m.bpbd, warehouses: [w.tebo] }),
    pmi: c.token({ sub: 'relawan-pmi', role: 'member', member: m.pmi }),
    distributor: c.token({ sub: 'sales-beras', role: 'member', member: m.distributor }),
    site: c.token({ sub: 'koordinator-pemayung', role: 'site', site: s.pemayung }),
    siteSengeti: c.token({ sub: 'koordinator-sengeti', role: 'site', site: s.sengeti }),
  };
}

export async function registerCluster(c: LumbungClient, t: Tokens): Promise<void> {
  const { members: m, warehouses: w, sites: s, items: i, incidents: inc } = cluster;
  const admin = { token: t.admin };
  await Promise.all([
    c.ok('/members', { memberId: m.bpbd, name: 'BPBD Provinsi Jambi', kind: 'government' }, admin),
    c.ok('/members', { memberId: m.pmi, name: 'PMI Provinsi Jambi', kind: 'community' }, admin),
    c.ok('/members', { memberId: m.distributor, name: 'UD Beras Sejahtera', kind: 'business' }, admin),
  ]);
  await Promise.all([
    c.ok('/warehouses', { warehouseId: w.main, name: 'Gudang BPBD Provinsi', ownerMemberId: m.bpbd, district: 'Kota Jambi', lat: -1.61, lon: 103.61 }, admin),
    c.ok('/warehouses', { warehouseId: w.pmi, name: 'Gudang PMI Jambi', ownerMemberId: m.pmi, district: 'Kota Jambi', lat: -1.6, lon: 103.59 }, admin),
    c.ok('/warehouses', { warehouseId: w.tebo, name: 'Gudang BPBD Tebo', ownerMemberId: m.bpbd, district: 'Tebo', lat: -1.49, lon: 102.44 }, admin),
    c.ok('/warehouses', { warehouseId: w.race, name: 'Gudang Uji', ownerMemberId: m.bpbd, district: 'Muaro Jambi', lat: -1.55, lon: 103.7 }, admin),
    c.ok('/sites', { siteId: s.pemayung, name: 'Posko Pemayung', type: 'posko', district: 'Batanghari', lat: -1.66, lon: 103.38 }, admin),
    c.ok('/sites', { siteId: s.sengeti, name: 'Titik Pengungsian Sengeti', type: 'evacuation-site', district: 'Muaro Jambi', lat: -1.59, lon: 103.56 }, admin),
    c.ok('/items', { itemId: i.rice, code: 'FD-RICE-5', name: 'Beras 5 kg', unit: 'sack', category: 'food' }, admin),
    c.ok('/items', { itemId: i.kit, code: 'NF-FAMKIT', name: 'Family kit', unit: 'set', category: 'non-food' }, admin),
    c.ok('/items', { itemId: i.water, code: 'WS-WATER-600', name: 'Air minum 600 ml (karton 24)', unit: 'carton', category: 'wash', packSize: 24 }, admin),
    c.ok('/items', { itemId: i.noodles, code: 'FD-NOODLE', name: 'Mi instan (karton 40)', unit: 'carton', category: 'food' }, admin),
    c.ok('/items', { itemId: i.genset, code: 'EQ-GENSET-5', name: 'Generator 5 kVA', unit: 'unit', category: 'equipment' }, admin),
    c.ok('/items', { itemId: i.old, code: 'FD-BISCUIT-OLD', name: 'Biskuit (discontinued)', unit: 'box', category: 'food' }, admin),
    c.ok('/incidents', { incidentId: inc.flood, name: 'Banjir Batanghari', type: 'flood', districts: ['Batanghari', 'Muaro Jambi', 'Kota Jambi'], phase: 'emergency' }, admin),
    c.ok('/incidents', { incidentId: inc.prep, name: 'Siaga banjir Tebo', type: 'flood', districts: ['Tebo'] }, admin),
  ]);
  await c.ok(`/items/${i.old}/deactivate`, { reason: 'replaced by the new biscuit pack' }, admin);
}
