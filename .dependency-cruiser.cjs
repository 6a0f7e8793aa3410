// Import boundaries between the rooms (see docs/architecture.md) and no cycles.
// A wrong arrow fails `npm run check`, not a review.
const rooms = ['core', 'connectors', 'engine', 'store', 'webhooks', 'ui-extension', 'manifests', 'sandbox'];
const mayImport = {
  core: [],
  connectors: ['core', 'manifests'],
  engine: ['core'],
  store: ['core'],
  webhooks: ['core'],
  'ui-extension': ['core'],
  manifests: [],
  sandbox: ['core'],
};

const boundaryRules = rooms.map((room) => {
  const forbidden = ['app', 'test', 'bench', ...rooms].filter((r) => r !== room && !mayImport[room].includes(r));
  return {
    name: `${room}-imports-only-${mayImport[room].join('-') || 'itself'}`,
    severity: 'error',
    comment: `${room}/ may import only: ${mayImport[room].join(', ') || 'nothing of ours'}`,
    // Unit tests beside the code are tests: they may import test helpers.
    from: { path: `^${room}/`, pathNot: '\\.test\\.ts$' },
    to: { path: `^(${forbidden.join('|')})/` },
  };
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...boundaryRules,
    { name: 'no-circular', severity: 'error', comment: 'Circular imports hide layering mistakes.', from: {}, to: { circular: true } },
    // LWC imports (`lightning/*`, `@salesforce/*`, `c/*`) are resolved by the Salesforce platform
    // (and by sfdx-lwc-jest's stubs in tests), not by Node.
    { name: 'not-to-unresolvable', severity: 'error', from: { pathNot: '^ui-extension/salesforce/' }, to: { couldNotResolve: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|node_modules)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
