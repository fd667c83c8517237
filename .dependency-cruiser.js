/**
 * The dependency rule of DESIGN.md ("Layout and the dependency rule"), checked in `npm test`.
 * Spec files, test support, benchmarks and scripts may reach anything (they wire real infrastructure).
 */
const notTest = '(\\.spec\\.ts$|^test/|^bench/|^scripts/)';
const lib = (names) => `^libs/(${names.join('|')})/`;
const npm = (names) => `node_modules/(${names.map((n) => n.replace('/', '\\/')).join('|')})/`;

/** What each folder may import among the project's own folders, and which npm packages. */
const allowed = {
  'libs/domain': { libs: ['domain'], npm: [], core: false },
  'libs/event-store': { libs: ['event-store', 'domain'], npm: [], core: true },
  'libs/event-store-postgres': { libs: ['event-store-postgres', 'event-store', 'domain'], npm: ['pg', 'pg-protocol'], core: true },
  'libs/event-store-sqlite': { libs: ['event-store-sqlite', 'event-store', 'domain'], npm: ['better-sqlite3'], core: true },
  'libs/event-store-eventstoredb': { libs: ['event-store-eventstoredb', 'event-store', 'domain'], npm: ['@kurrent/kurrentdb-client'], core: true },
  'libs/projections': { libs: ['projections', 'domain', 'event-store'], npm: [], core: false },
  'libs/read-model': { libs: ['read-model', 'projections', 'domain', 'event-store'], npm: ['typeorm', '@nestjs/common', '@nestjs/typeorm', 'reflect-metadata'], core: true },
  'libs/messaging': { libs: ['messaging', 'event-store', 'domain'], npm: ['kafkajs'], core: true },
};

const forbidden = [
  {
    name: 'no-app-to-app',
    comment: 'Apps never import each other.',
    severity: 'error',
    // Tests may reuse another app's test support (a query test drives commands through the command API).
    from: { path: '^apps/([^/]+)/', pathNot: '^apps/([^/]+/test/|lumbung/)' },
    to: { path: '^apps/', pathNot: '^apps/$1/' },
  },
  {
    name: 'embedded-host-composes-only',
    comment: 'apps/lumbung, the embedded composition root, imports the apps it hosts and platform, nothing else.',
    severity: 'error',
    from: { path: '^apps/lumbung/' },
    to: { path: '^(apps|libs)/', pathNot: '^(apps/(lumbung|command-api|query-api)/|libs/platform/)' },
  },
  {
    name: 'apps-only-their-libs',
    comment: 'Each app imports only the libraries DESIGN.md lists for it.',
    severity: 'error',
    from: { path: '^apps/command-api/', pathNot: notTest },
    to: { path: '^libs/', pathNot: lib(['domain', 'event-store', 'platform']) },
  },
  {
    name: 'relay-libs',
    severity: 'error',
    from: { path: '^apps/relay/', pathNot: notTest },
    to: { path: '^libs/', pathNot: lib(['event-store', 'messaging', 'platform']) },
  },
  {
    name: 'projector-libs',
    severity: 'error',
    from: { path: '^apps/projector/', pathNot: notTest },
    to: { path: '^libs/', pathNot: lib(['projections', 'read-model', 'messaging', 'platform', 'domain', 'event-store']) },
  },
  {
    name: 'query-api-libs',
    severity: 'error',
    from: { path: '^apps/query-api/', pathNot: notTest },
    to: { path: '^libs/', pathNot: lib(['read-model', 'event-store', 'platform', 'projections', 'domain']) },
  },
  {
    name: 'libs-never-import-apps',
    severity: 'error',
    from: { path: '^libs/' },
    to: { path: '^apps/' },
  },
  {
    name: 'drivers-only-in-adapters',
    comment: 'Only adapter libraries touch a driver (pg, better-sqlite3, the KurrentDB client, kafkajs).',
    severity: 'error',
    from: { path: '^(apps|libs)/', pathNot: `(${notTest}|^libs/(event-store-postgres|event-store-sqlite|event-store-eventstoredb|messaging|read-model)/)` },
    to: { path: npm(['pg', 'better-sqlite3', '@kurrent/kurrentdb-client', 'kafkajs']) },
  },
];

for (const [folder, a] of Object.entries(allowed)) {
  const from = { path: `^${folder}/`, pathNot: notTest };
  forbidden.push({
    name: `${folder.replace('libs/', '')}-own-libs`,
    comment: `${folder} may import only: ${a.libs.join(', ')}`,
    severity: 'error',
    from,
    to: { path: '^(libs|apps)/', pathNot: lib(a.libs) },
  });
  forbidden.push({
    name: `${folder.replace('libs/', '')}-npm`,
    comment: `${folder} may use only these packages: ${a.npm.join(', ') || 'none'}`,
    severity: 'error',
    from,
    to: a.npm.length ? { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'], pathNot: npm(a.npm) } : { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'] },
  });
  if (!a.core) {
    forbidden.push({ name: `${folder.replace('libs/', '')}-no-node`, comment: `${folder} uses no node:* module`, severity: 'error', from, to: { dependencyTypes: ['core'] } });
  }
}

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
