/**
 * The dependency rules of the repo, checked by `scripts/check-deps.mjs` (part of `npm test`). CONTRIBUTING.md
 * ("The layering rule") draws the same picture: change both together.
 *
 * @cccd/emrtd is layered folder by folder. A module may import its own layer and the layers below it, never a
 * layer above. Type-only imports count like any other (a type import against the arrows still ties the layers).
 */
const EMRTD = '^packages/emrtd/src/';

/** Lowest first: [layer name, folders and root files of packages/emrtd/src]. CONTRIBUTING.md draws the same list. */
const { LAYERS } = require('./scripts/emrtd-layers.cjs');

const escapeDots = (s) => s.replace(/[.]/g, '\\.');
const pathsOf = (entries) =>
  `${EMRTD}(${entries.map((e) => (e.endsWith('/') ? escapeDots(e) : `${escapeDots(e)}$`)).join('|')})`;
/** Tests sit beside the code they test and may reach any layer (e.g. a reader test against the simulator). */
const TESTS = '\\.test\\.ts$';

const layerRules = LAYERS.slice(0, -1).map(([name, folders], i) => ({
  name: `emrtd-layer-${name.replace(/ /g, '-')}`,
  comment: `${name} (${folders.join(', ')}) may import only its own layer and the ones below it`,
  severity: 'error',
  from: { path: pathsOf(folders), pathNot: TESTS },
  to: { path: pathsOf(LAYERS.slice(i + 1).flatMap(([, f]) => f)) },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      comment: 'No import cycle between files, type-only imports included: a cycle makes two modules one.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-unresolvable',
      comment: 'An import the check cannot resolve is an edge it cannot judge (the demo page loads /client/ over HTTP)',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, pathNot: '^/client/' },
    },
    ...layerRules,
    {
      name: 'emrtd-unlayered',
      comment: 'Every folder of @cccd/emrtd has a layer (.dependency-cruiser.cjs LAYERS, CONTRIBUTING.md)',
      severity: 'error',
      from: { path: EMRTD, pathNot: [pathsOf(LAYERS.flatMap(([, f]) => f)), TESTS] },
      to: {},
    },
    {
      name: 'emrtd-no-testing-in-library',
      comment: 'Test helpers and fixtures (src/testing/) serve tests only: the library never imports them',
      severity: 'error',
      from: { path: EMRTD, pathNot: [`${EMRTD}testing/`, TESTS] },
      to: { path: `${EMRTD}testing/` },
    },
    {
      name: 'emrtd-node-only-in-node-entry',
      comment: '@cccd/emrtd runs in browsers too: Node built-ins only in its ./node entry (trust/node.ts)',
      severity: 'error',
      from: { path: EMRTD, pathNot: [`${EMRTD}trust/node\\.ts$`, `${EMRTD}testing/`, TESTS] },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'emrtd-image-codecs-in-jpeg2000',
      comment: 'The JPEG 2000 decoder and the PNG encoder are loaded by jpeg2000/ only (the ./jpeg2000 entry)',
      severity: 'error',
      from: { path: EMRTD, pathNot: [`${EMRTD}jpeg2000/`, TESTS] },
      to: { path: 'node_modules/(@cornerstonejs/codec-openjpeg|fast-png)/' },
    },
    {
      name: 'emrtd-jpeg2000-only-in-its-entry',
      comment: 'jpeg2000/ is reached only through the ./jpeg2000 entry: the root entry never pulls the decoder in',
      severity: 'error',
      from: { path: EMRTD, pathNot: [`${EMRTD}jpeg2000/`, `${EMRTD}entries/jpeg2000\\.ts$`, TESTS] },
      to: { path: `${EMRTD}jpeg2000/` },
    },
    {
      name: 'emrtd-transport-agnostic',
      comment: '@cccd/emrtd never imports a transport, the simulator, the agent or a native module',
      severity: 'error',
      from: { path: EMRTD, pathNot: [`${EMRTD}testing/`, TESTS] },
      to: {
        path: [
          '^(simulator|kiosk-agent)/',
          '^packages/(pcsc|hid|client|cli)/',
          'node_modules/(pcsclite|node-hid|@cccd/(simulator|pcsc|hid|client|cli|kiosk-agent))/',
        ],
      },
    },
    {
      name: 'relay-card-side-platform-neutral',
      comment:
        "@cccd/relay's card side runs in browsers and React Native: no Node built-in and no ws outside verifier/",
      severity: 'error',
      from: { path: '^packages/relay/src/', pathNot: ['^packages/relay/src/(verifier|test-support)/', TESTS] },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'relay-card-side-not-verifier',
      comment: "@cccd/relay's card side never reaches the verifier side (Node, ws); ws itself: platform.test.ts",
      severity: 'error',
      from: { path: '^packages/relay/src/', pathNot: ['^packages/relay/src/(verifier|test-support)/', TESTS] },
      to: { path: '^packages/relay/src/verifier/' },
    },
    {
      name: 'react-native-no-node',
      comment: '@cccd/react-native runs on phones (Hermes): no Node built-in outside its tests',
      severity: 'error',
      from: { path: '^packages/react-native/src/', pathNot: [TESTS, '/test-support/'] },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'react-native-no-native-import',
      comment:
        '@cccd/react-native never imports react-native or react-native-nfc-manager: the app passes NfcManager in ' +
        '(only a type-level test reads the library typings)',
      severity: 'error',
      from: { path: '^packages/react-native/src/', pathNot: [TESTS, '/test-support/'] },
      to: { path: 'node_modules/(react-native|react-native-nfc-manager)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // node_modules stay in the graph as leaves (doNotFollow): rules on which package imports them need the edge.
    exclude: { path: ['(^|/)dist/'] },
    tsPreCompilationDeps: true,
    // The workspace packages resolve to their TypeScript sources, as in tests (tsconfig.test.json paths).
    tsConfig: { fileName: 'tsconfig.test.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'types', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.json'],
    },
  },
};
