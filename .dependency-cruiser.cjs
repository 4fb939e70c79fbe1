// The house rules, checked by `npm run lint` (and so by `npm test`). src/ is a stack of layers, read
// top to bottom; a module may import its own layer and any layer below it, never one above. There
// are no exceptions: a rule that needs one is a design question, not a lint setting.
const LAYERS = [
  ['cli', 'src/cli\\.ts$', 'the entry point: finds the command and loads it on demand'],
  ['commands', 'src/commands/', 'one file per command: parse flags, call one function, print'],
  ['sweep', 'src/sweep/', "a check's runs as units over shard processes, their Parquet files and their merge"],
  ['check', 'src/check/', 'regression tests of strategy choices over seeds'],
  ['tui', 'src/tui/', 'the terminal dashboard (React + Ink)'],
  ['experiment', 'src/experiment/', 'one run as numbered steps, its memory budget and cancellation'],
  ['logs', 'src/logs/', 'real logs: importing them, their A/B readout and the off-policy check against it'],
  ['report', 'src/report/', 'Vega-Lite charts and the self-contained HTML report'],
  ['store', 'src/store/', 'DuckDB: every table, every SQL statement, reads and writes'],
  ['ope', 'src/ope/', 'off-policy estimates from the logs and offline ↔ online consistency'],
  ['abtest', 'src/abtest/', 'the online A/B replay against the truth and its statistics'],
  ['train', 'src/train/', 'fitting models: the trainer, Adam, worker threads, memory'],
  ['metrics', 'src/metrics/', 'offline metrics: AUC, GAUC, log loss, calibration'],
  ['models', 'src/models/', 'the strategies, one file per paper, on shared blocks'],
  ['tf', 'src/tf/', 'TensorFlow.js backend choice and custom kernels'],
  ['data', 'src/data/', 'a world encoded as model inputs: features, batches, user history'],
  ['world', 'src/world/', 'the seeded generator: users, items, traffic and the ground truth'],
  ['scenario', 'src/scenario/', 'the scenario file: schema, defaults, loading'],
  ['util', 'src/util/', 'small helpers with no knowledge of the domain'],
];

// Layers that sit side by side may not import each other either (check ↔ tui).
const SIDE_BY_SIDE = [['check', 'tui']];

const upward = LAYERS.slice(1).map(([name, path], i) => ({
  name: `no-upward-from-${name}`,
  comment: `${name} (${LAYERS[i + 1][2]}) may not import a layer above it`,
  severity: 'error',
  from: { path },
  to: { path: LAYERS.slice(0, i + 1).map(([, p]) => p) },
}));

const sideways = SIDE_BY_SIDE.flatMap(([a, b]) => [[a, b], [b, a]]).map(([a, b]) => ({
  name: `no-${a}-to-${b}`,
  comment: `${a} and ${b} are side by side; what both need belongs below them`,
  severity: 'error',
  from: { path: LAYERS.find(([n]) => n === a)[1] },
  to: { path: LAYERS.find(([n]) => n === b)[1] },
}));

module.exports = {
  forbidden: [
    ...upward,
    ...sideways,
    {
      name: 'everything-in-a-layer',
      comment: 'every file under src/ belongs to a layer: a new folder is added to LAYERS with its place',
      severity: 'error',
      from: { path: '^src/', pathNot: LAYERS.map(([, p]) => p) },
      to: {},
    },
    {
      name: 'no-circular',
      comment: 'an import cycle makes two modules one; split what they share into a lower module',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'sql-only-in-store',
      comment: 'store/ is the only place that talks to DuckDB',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/store/' },
      to: { path: 'node_modules/@duckdb/' },
    },
    {
      name: 'commands-load-lazily',
      comment: "cli.ts loads a command only when it runs, so `--help` and `runs` never load TensorFlow.js or React",
      severity: 'error',
      from: { path: 'src/cli\\.ts$' },
      to: { path: '^src/', pathNot: ['^src/commands/(args|specs)\\.ts$', '^src/util/'], dependencyTypesNot: ['dynamic-import'] },
    },
    {
      name: 'quick-commands-stay-light',
      comment: '`crossab --help` (cli.ts with args and specs), `runs` and `query` start in a fraction of a second: nothing they load reaches TensorFlow.js, React, zod or the generator',
      severity: 'error',
      from: { path: '^src/commands/(runs|query|args|specs)\\.ts$' },
      to: { path: ['node_modules/(@tensorflow|react|ink|@inkjs|zod)/', '^src/(world|models|train|data|tf)/'], reachable: true },
    },
    {
      name: 'tensorflow-below-experiment',
      comment: 'TensorFlow.js is for the layers that train and encode; the store, the report and the commands never load it',
      severity: 'error',
      from: { path: ['^src/(commands|check|tui|report|store|abtest|metrics|world|scenario|util)/', 'src/cli\\.ts$'] },
      to: { path: 'node_modules/@tensorflow/' },
    },
    {
      name: 'react-only-in-the-dashboard',
      comment: 'React and Ink are loaded by the dashboard and its command only',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/tui/', '^src/commands/tui\\.ts$'] },
      to: { path: 'node_modules/(react|ink|@inkjs)/' },
    },
    {
      name: 'tests-do-not-reach-into-other-tests',
      comment: 'a test imports src/ and test/helpers/, never another test file',
      severity: 'error',
      from: { path: '^test/' },
      to: { path: '\\.test\\.tsx?$' },
    },
    {
      name: 'src-never-imports-tests-or-bench',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.tsx', '.js'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
