// Maps the tsconfig path aliases (@lumbung/*) for jest, so tests import exactly what apps import.
const { compilerOptions } = require('../../tsconfig.json');

function pathsToModuleNameMapper() {
  const out = {};
  for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
    const key = '^' + alias.replace('/*', '/(.*)') + '$';
    out[key] = '<rootDir>/' + target.replace('/*', '/$1');
  }
  return out;
}
module.exports = { pathsToModuleNameMapper };
