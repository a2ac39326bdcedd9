/* global module -- CommonJS: dependency-cruiser reads this file with require() (package.json says "type": "module"). */
/**
 * The layer and cycle check of the house (`npm run check:deps`, run in CI after lint). It reads
 * src/ with type-only imports counted (an `import type` ties layers together as surely as a value
 * import does). docs/architecture.md explains the layers.
 */

/** Feature folders of src/, bottom to top: a folder may import the folders before it, never one after it. */
const LAYERS = [
  'core',
  'store',
  'patterns',
  'resilience',
  'idempotency',
  'queue',
  'bus',
  'interactions',
  'health',
  '(root)',
  'doctor',
  'server',
  'cli',
];

/** Store drivers: only src/store/ itself may name them (the registry in store/ picks one by URL). */
const DRIVERS = ['sqlite', 'postgres', 'redis'];

/** The path regex of one layer; `(root)` is the files directly in src/ (ballast.ts, index.ts). */
const pathOf = (layer) => (layer === '(root)' ? '^src/[^/]+\\.ts$' : `^src/${layer}/`);
const DRIVER_PATH = `^src/store/(${DRIVERS.join('|')})/`;
/** The client libraries of the drivers: only the driver's own folder loads them. */
const DRIVER_LIBRARIES = '(^|/)node_modules/(@types/)?(better-sqlite3|pg|ioredis)/';
/** Every place in src/ the rules know: the layers and testing. */
const KNOWN = [...LAYERS.map(pathOf), '^src/testing/'];

/** One rule per layer: nothing above it. */
const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${layer === '(root)' ? 'root' : layer}`,
  comment: `${layer} imports a folder above it (order, bottom to top: ${LAYERS.join(' < ')}).`,
  severity: 'error',
  from: { path: pathOf(layer) },
  to: { path: LAYERS.slice(i + 1).map(pathOf) },
}));

module.exports = {
  forbidden: [
    {
      // A cycle across folders always contains an upward import, which the layer rules below
      // refuse whether it imports a value or only a type. Within one folder, a cycle of value
      // imports is refused here; a cycle that passes through an `import type` is erased at
      // compile time and allowed (a class and the factory that makes it name each other:
      // queue/queue.ts makes a Consumer, and the consumer's handler context names the Queue).
      name: 'no-circular',
      comment: 'A cycle of value imports (modules that load each other).',
      severity: 'error',
      from: { path: '^src/' },
      to: {
        circular: true,
        dependencyTypesNot: ['type-only'],
        viaOnly: { dependencyTypesNot: ['type-only'] },
      },
    },
    ...layerRules,
    {
      name: 'layer-unknown',
      comment:
        'A folder of src/ that is not in the layer order: add it to LAYERS (and to docs/architecture.md).',
      severity: 'error',
      from: { path: '^src/', pathNot: KNOWN },
      to: {},
    },
    {
      name: 'no-driver-library-outside-driver',
      comment:
        'Only a driver folder imports its client library (better-sqlite3, pg, ioredis), types included.',
      severity: 'error',
      from: { path: '^src/', pathNot: DRIVER_PATH },
      to: { path: DRIVER_LIBRARIES },
    },
    {
      name: 'testing-imports-core-only',
      comment:
        "ballast/testing ships in the package for users' tests: it may import src/core/ only.",
      severity: 'error',
      from: { path: '^src/testing/' },
      to: { path: '^src/', pathNot: '^src/(core|testing)/' },
    },
    {
      name: 'nothing-imports-testing',
      comment: "Library code does not depend on the helpers for users' tests.",
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/testing/' },
      to: { path: '^src/testing/' },
    },
    {
      name: 'no-driver-outside-store',
      comment: `Only src/store/ names a driver (${DRIVERS.join(', ')}); everything else goes through the store contract.`,
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/store/' },
      to: { path: DRIVER_PATH },
    },
    {
      name: 'no-driver-in-contract',
      comment: 'A store contract (src/store/contract.ts, src/store/*-contract.ts) names no driver.',
      severity: 'error',
      from: { path: '^src/store/[^/]*contract\\.ts$' },
      to: { path: DRIVER_PATH },
    },
    {
      name: 'no-unresolvable',
      comment:
        'A relative import the checker cannot resolve would hide an edge from every rule above.',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true, path: '^\\.' },
    },
  ],
  options: {
    // src/ and the drivers' client libraries (so that importing one outside its driver shows).
    includeOnly: ['^src/', DRIVER_LIBRARIES],
    doNotFollow: { path: 'node_modules' },
    // `import type` and type-only re-exports count: they are what ties a contract to a driver.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
