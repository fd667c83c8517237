// Runs TypeScript sources in-process without ts-node: the operators' scripts (npm run projections,
// npm run verify) and the benchmarks:
//
//   node -r ./scripts/support/swc-register.js scripts/projections.ts rebuild all
//
// ts-node also loads the TypeScript compiler (several hundred MB for a long rebuild to carry).
// ts-node loads node's `repl`, which loads `domain`, and loading `domain` swaps EventEmitter's init and
// emit for domain-aware versions in the whole process: every request's sockets, streams and pg
// messages then pay for it (~5% of a light read's CPU), which no deployed app (node dist/.../main.js)
// does. This hook compiles each .ts file with @swc/core as the jest config does (legacy decorators
// with their metadata, which Nest's injection reads) and resolves the @lumbung/* paths of tsconfig.json.
const { readFileSync } = require('node:fs');
const { transformSync } = require('@swc/core');
require('tsconfig-paths/register');

const OPTIONS = {
  jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022' },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), { ...OPTIONS, filename });
  module._compile(code, filename);
};
