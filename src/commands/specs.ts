// What every command takes and says of itself: usage, flags (parsed and described from the same
// table), examples. A module of its own so that `crossab --help` and the dispatch in cli.ts load
// none of the commands' machinery (TensorFlow.js, DuckDB, React).
import { SHARED_FLAGS, dbFlag, type CommandHelp } from './args.js';

export interface CommandSpec extends CommandHelp {
  positionals: { min: number; max: number; name: string };
}

const GENERATE = {
  usage: 'crossab generate <scenario.json> [--seed N] [--out FILE.parquet] [--bandit FILE.parquet] [--json]',
  flags: {
    seed: SHARED_FLAGS.seed,
    out: { type: 'string', value: 'FILE.parquet', help: 'also write the logged impressions as Parquet (its folder must exist)' },
    bandit: {
      type: 'string',
      value: 'FILE.parquet',
      help: "also write the logs as bandit feedback with the logging policy's propensities, in Open Bandit Pipeline's slate shape",
    },
    json: { type: 'boolean', help: 'print the summary as one JSON object' },
  },
  positionals: { min: 1, max: 1, name: 'scenario file' },
  summary: 'Generate the world a scenario describes and print its summary: domains, users, impressions, click rates',
  examples: [
    'crossab generate scenarios/default.json',
    'crossab generate scenarios/tiny.json --seed 3 --out tiny.parquet',
    'crossab generate scenarios/library/logging-softmax.json --bandit logs.parquet',
  ],
} as const;

const TRAIN = {
  usage: 'crossab train <scenario.json> [--strategies a,b,…] [--seed N] [--backend node|wasm|cpu] [--workers N] [--json]',
  flags: {
    strategies: SHARED_FLAGS.strategies,
    seed: SHARED_FLAGS.seed,
    backend: SHARED_FLAGS.backend,
    workers: SHARED_FLAGS.workers,
    json: { type: 'boolean', help: 'print the offline metrics as one JSON object' },
  },
  positionals: { min: 1, max: 1, name: 'scenario file' },
  summary: 'Train strategies on a generated world and print offline metrics (AUC, GAUC, log loss) per domain and user segment',
  examples: ['crossab train scenarios/tiny.json --strategies separate,shared-bottom,mmoe'],
} as const;

const RUN = {
  usage:
    'crossab run <scenario.json> [--seed N] [--salt N] [--grade K] [--strategies a,b] [--arms a,b] [--control a] [--aa] [--db PATH] [--backend node|wasm|cpu] [--workers N] [--no-report] [--policy-out DIR] [--replay-from DIR] [--json]\n' +
    '  crossab run <scenario.json> --replay-shard I/N --replay-dir DIR [--seed N] [--strategies a,b] [--arms a,b] [--control a] [--aa] [--backend …] [--workers N]',
  flags: {
    seed: SHARED_FLAGS.seed,
    salt: { type: 'string', value: 'N', help: 'the A/B assignment salt, 0 to 2147483647: the same world and models, users re-randomised (default: the seed)' },
    grade: {
      type: 'string',
      value: 'K',
      help: 'also re-randomise the assignment K times (1 to 10000) on the same world and models and report how often each domain was decided right',
    },
    strategies: SHARED_FLAGS.strategies,
    arms: { type: 'string', value: 'a,b,…', help: "A/B arms, strategies by name (default: the scenario's abtest block)" },
    control: { type: 'string', value: 'NAME', help: "the control arm (default: the scenario's control, else the first arm)" },
    aa: { type: 'boolean', help: 'an A/A test: every arm serves the control strategy' },
    db: dbFlag(true),
    backend: SHARED_FLAGS.backend,
    workers: SHARED_FLAGS.workers,
    'no-report': { type: 'boolean', help: 'store the run but write no HTML report' },
    'policy-out': {
      type: 'string',
      value: 'DIR',
      help: "write each arm's replay slates as a policy file there (NAME.policy.json), a target for `crossab readout --policy` on real logs",
    },
    'replay-shard': {
      type: 'string',
      value: 'I/N',
      help: "a streamed replay in N shards: train, rank shard I's chunks (from 0) with the arms' models, write them to --replay-dir and store nothing",
    },
    'replay-dir': { type: 'string', value: 'DIR', help: 'with --replay-shard: the folder (shared by the shards) the slates go to' },
    'replay-from': {
      type: 'string',
      value: 'DIR',
      help: 'the run, on a replay ranked by N shards: read the slates from DIR instead of ranking, then replay, decide, grade and store as one process would',
    },
    verbose: {
      type: 'boolean',
      help: 'after the one-row-per-domain summary, every table behind it: the arms per domain, off-policy estimates, offline ↔ online, full reasons',
    },
    json: { type: 'boolean', help: 'print the run as one JSON object (offline metrics, A/B readout, decisions, power, warnings, fingerprint)' },
  },
  positionals: { min: 1, max: 1, name: 'scenario file' },
  summary: 'The whole job: generate the world, train, evaluate offline, replay the A/B test against the truth, store it in DuckDB and write a report',
  examples: [
    'crossab run scenarios/default.json',
    'crossab run scenarios/tiny.json --arms separate,mmoe --seed 2 --json --no-report',
    'crossab run scenarios/default.json --salt 7',
    'crossab run scenarios/default.json --grade 200',
    'crossab run scenarios/tiny.json --verbose',
    'crossab run scenarios/library/realistic-lifts.json --replay-shard 0/4 --replay-dir shards/  (and 1/4 … 3/4, anywhere), then --replay-from shards/',
  ],
} as const;

const PLAN = {
  usage: 'crossab plan <scenario.json> [--seed N] [--arms K] [--json]',
  flags: {
    seed: SHARED_FLAGS.seed,
    arms: { type: 'string', value: 'K', help: "arms the test will have, 2 to 100 (default: the scenario's abtest block, else 2)" },
    json: { type: 'boolean', help: 'print the plan as one JSON object' },
  },
  positionals: { min: 1, max: 1, name: 'scenario file' },
  summary: 'Size the A/B test before running it: per domain, the smallest lift it can detect and the users it needs, from logged traffic alone (no training)',
  notes:
    "The logs' last stretch as long as the test is split into arms as an A/A pilot; its per-user noise gives the minimum detectable\nlift (plain and CUPED) at the scenario's α, power and correction, and the users needed to detect abtest.decisions.minLift.",
  examples: ['crossab plan scenarios/default.json', 'crossab plan scenarios/default.json --arms 2 --json'],
} as const;

const RUNS = {
  usage: 'crossab runs [--db PATH] [--json]',
  flags: {
    db: dbFlag(false),
    json: { type: 'boolean', help: 'print the runs as a JSON array' },
  },
  positionals: { min: 0, max: 0, name: '' },
  summary: "List the store's runs with their status (running, complete, cancelled, failed, interrupted)",
  examples: ['crossab runs', 'crossab runs --db other.duckdb --json'],
} as const;

const STRATEGIES_SPEC = {
  usage: 'crossab strategies [--settings] [--json]',
  flags: {
    settings: { type: 'boolean', help: "each strategy's own training settings (training.<name>) and what each does" },
    json: { type: 'boolean', help: 'print them as a JSON array (name, summary, default, settings: [{ field, doc }])' },
  },
  positionals: { min: 0, max: 0, name: '' },
  summary: 'List the strategies crossab trains, one line each with the paper it follows; the ones trained when a scenario names none are marked',
  examples: ['crossab strategies', 'crossab strategies --settings', 'crossab run scenarios/tiny.json --strategies separate,mmoe'],
} as const;

const QUERY = {
  usage: 'crossab query "<SQL>" [--db PATH] [--json] [--max-rows N] [--timeout S]',
  flags: {
    db: dbFlag(false),
    json: { type: 'boolean', help: 'print the rows as a JSON array of objects, streamed' },
    'max-rows': { type: 'string', value: 'N', help: 'stop after N rows and say so on stderr (default 1000; 0: every row, still streamed)' },
    timeout: { type: 'string', value: 'S', help: 'interrupt the query after S seconds (default 60; 0: never)' },
  },
  positionals: { min: 1, max: 1, name: 'SQL query' },
  summary: 'Run one read-only SQL statement on the store',
  notes:
    "Only a statement that reads is run (SELECT, FROM, WITH, VALUES, DESCRIBE, SHOW, SUMMARIZE), decided by\nDuckDB's own parser; the store is opened read-only, and files, other databases and extensions are off limits.",
  examples: ['crossab query "SELECT arm, domain, lift, p_value FROM ab_lifts WHERE metric = \'ctr\'"', "crossab query 'SHOW TABLES' --json"],
} as const;

const REPORT = {
  usage: 'crossab report [--run ID|latest] [--compare A,B,…] [--from SWEEP_DIR] [--db PATH] [--out reports/NAME.html] [--svg DIR]',
  flags: {
    run: { type: 'string', value: 'ID', help: "the run to report, or 'latest' (default: the latest complete run)" },
    compare: { type: 'string', value: 'A,B,…', help: 'two or more run IDs side by side in one report' },
    from: { type: 'string', value: 'DIR', help: "first merge a sweep's finished units into --db (unfinished ones are listed)" },
    db: dbFlag(false),
    out: { type: 'string', value: 'FILE.html', help: 'where the report goes (default reports/RUN_ID.html; its folder must exist)' },
    svg: { type: 'string', value: 'DIR', help: 'also write each chart as SVG into DIR (an existing folder, or a new one inside one)' },
  },
  positionals: { min: 0, max: 0, name: '' },
  summary: 'Write a self-contained HTML report (Vega-Lite charts, no network) of stored runs',
  examples: ['crossab report', 'crossab report --run tiny-20261201-120000-a1b2c3 --out reports/tiny.html --svg reports/tiny-svg'],
} as const;

const CHECK = {
  usage:
    'crossab check <scenario.json…> [--seeds 1,2,3 | --seeds N] [--db PATH] [--junit FILE] [--json] [--allow-inconclusive] [--fresh] [--backend node|wasm|cpu] [--workers N]\n' +
    '  crossab check --from SWEEP_DIR [scenario.json…] [--db PATH] [--junit FILE] [--json] [--allow-inconclusive]\n' +
    '  crossab check --baseline RUN_ID [scenario.json] [--tolerance auc=0.003,gauc=0.003,logloss=0.003,lift=0.03] [--seeds …] [--db PATH] [--junit FILE] [--json]',
  flags: {
    seeds: { type: 'string', value: 'N|a,b,…', help: "N seeds from the scenario's own, or a list (default: the scenario's check.seeds, else 3)" },
    db: dbFlag(true, '; runs stored there with the same code and data are reused'),
    junit: { type: 'string', value: 'FILE.xml', help: 'also write the verdicts as JUnit XML for CI' },
    json: { type: 'boolean', help: 'print the verdicts as one JSON object' },
    'allow-inconclusive': { type: 'boolean', help: 'an inconclusive claim does not fail the check' },
    fresh: { type: 'boolean', help: 'run every seed again instead of reusing stored runs' },
    baseline: { type: 'string', value: 'RUN_ID', help: 'compare new runs with a stored run, metric by metric, instead of judging expectations' },
    from: {
      type: 'string',
      value: 'DIR',
      help: "judge a sweep's results: merge its finished units into --db and run nothing (the scenarios default to the sweep's)",
    },
    tolerance: { type: 'string', value: 'm=x,…', help: 'with --baseline: how far each metric may move (auc, gauc, logloss, lift)' },
    backend: SHARED_FLAGS.backend,
    workers: SHARED_FLAGS.workers,
  },
  positionals: { min: 0, max: 1000, name: 'scenario file' },
  summary: "Judge scenarios' expectations over seeds, or compare with a baseline run; exit 0 when all pass, 1 when any fails, 2 on bad input",
  examples: ['crossab check scenarios/library/*.json --junit reports/check.xml', 'crossab check --baseline RUN_ID --tolerance auc=0.003'],
} as const;

const SWEEP = {
  usage:
    'crossab sweep plan <scenario.json…> [--seeds 1,2,3 | --seeds N] [--root DIR] [--backend node|wasm|cpu] [--json]\n' +
    '  crossab sweep run DIR [--shard I/N | --shards N] [--workers N]\n' +
    '  crossab sweep status DIR [--json]\n' +
    '  crossab sweep merge DIR [--db PATH] [--json]',
  flags: {
    seeds: { type: 'string', value: 'N|a,b,…', help: "plan: N seeds from each scenario's own, or a list (default: the scenario's check.seeds, else 3)" },
    root: { type: 'string', value: 'DIR', help: 'plan: write the plan there (sweep.json), the folder the shards fill' },
    shard: {
      type: 'string',
      value: 'I/N',
      help: 'run: shard I of N, from 0 (default: JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID, AWS_BATCH_JOB_ARRAY_INDEX or CROSSAB_SHARD_INDEX, else 0/1)',
    },
    shards: { type: 'string', value: 'N', help: 'run: the shard count N, with the index from the batch engine (Slurm gives both)' },
    db: dbFlag(true, '; merge: where the finished units go'),
    backend: SHARED_FLAGS.backend,
    workers: SHARED_FLAGS.workers,
    json: { type: 'boolean', help: 'plan, status, merge: print one JSON object' },
  },
  positionals: { min: 1, max: 1000, name: 'plan|run|status|merge, then its arguments' },
  summary:
    "A check's runs as units shared out over shard processes (any batch engine's array job), written as Parquet under one folder and merged into a store; exit 0 done, 1 units failed or unfinished, 2 bad input",
  examples: [
    'crossab sweep plan scenarios/library/*.json --seeds 5 --root sweep/',
    'crossab sweep run sweep/ --shard 3/10',
    'crossab sweep status sweep/',
    'crossab sweep merge sweep/ --db library.duckdb && crossab check --from sweep/ --db library.duckdb',
  ],
} as const;

const TUI = {
  usage: 'crossab tui [--scenarios DIR] [--db PATH] [--backend node|wasm|cpu]   (also: crossab on a terminal)',
  flags: {
    scenarios: { type: 'string', value: 'DIR', help: 'the folder of scenario files to pick from (default scenarios)' },
    db: dbFlag(true),
    backend: SHARED_FLAGS.backend,
  },
  positionals: { min: 0, max: 0, name: '' },
  summary: 'The terminal dashboard: pick a scenario, seed and strategies, watch the run live (Ctrl-C cancels it)',
  examples: ['crossab tui', 'crossab tui --scenarios scenarios/library'],
} as const;

const IMPORT = {
  usage: 'crossab import <log.csv|log.parquet…> --map MAPPING.json [--name NAME] [--replace] [--db PATH] [--json]',
  flags: {
    map: {
      type: 'string',
      value: 'FILE.json',
      help: 'which columns are the domain, arm, time, item, position, click, propensity and features (see scenarios/logs/obd.map.json)',
    },
    name: { type: 'string', value: 'NAME', help: "the dataset's name in the store (default: the mapping's dataset)" },
    replace: { type: 'boolean', help: 'replace a stored dataset of this name whose contents differ' },
    db: dbFlag(true),
    json: { type: 'boolean', help: 'print what was imported as one JSON object' },
  },
  positionals: { min: 1, max: 10_000, name: 'log file' },
  summary: 'Import real logged bandit feedback (CSV or Parquet, several files as one dataset) into the store, checked row by row',
  notes:
    'A file or mapping the import cannot take ends in one line naming the file, row and column; nothing is written then.\nThe same files imported again (same bytes, same mapping) leave the store unchanged.',
  examples: ['crossab import ../shared/data/obd/*/*/*en.csv --map scenarios/logs/obd.map.json'],
} as const;

const READOUT = {
  usage: 'crossab readout <dataset> [--method plain|cuped|sequential] [--policy FILE.json,…] [--from ARM] [--db PATH] [--json]',
  flags: {
    method: {
      type: 'string',
      value: 'NAME',
      help: 'which estimate decides: plain, cuped (without history the same as plain) or sequential (looks by day; default cuped)',
    },
    policy: {
      type: 'string',
      value: 'FILE,…',
      help: "target policies for the off-policy estimates (default: each treatment arm by its own log's frequencies)",
    },
    from: { type: 'string', value: 'ARM', help: 'the arm whose log the off-policy estimates use (default: the control)' },
    db: dbFlag(false),
    json: { type: 'boolean', help: 'print the readout as one JSON object' },
  },
  positionals: { min: 1, max: 1, name: 'dataset' },
  summary:
    "An imported log's A/B test per domain — lift, interval, power, decision and the traffic a decision needs — and off-policy estimates of one arm from another's log against its real CTR",
  examples: ['crossab readout obd', 'crossab readout obd --policy scenarios/logs/obd-bts-prior.policy.json,scenarios/logs/obd-bts-empirical.policy.json'],
} as const;

const FIT = {
  usage:
    'crossab fit <dataset> --out scenarios/NAME.json [--fit-file FILE] [--report FILE.html] [--no-report] [--fit-share F] [--policy FILE,…] [--seed N] [--db PATH] [--json]',
  flags: {
    out: {
      type: 'string',
      value: 'FILE.json',
      help: 'the scenario to write (its folder must exist); the fit and its diagnostics go beside it as NAME.fit.json',
    },
    'fit-share': {
      type: 'string',
      value: 'F',
      help: "the share of the log's time span fitted on, from its start, 0.1 to 0.9 (default 0.5); the rest is held out",
    },
    'fit-file': { type: 'string', value: 'FILE.json', help: 'where the fit and its diagnostics go (default: beside the scenario, NAME.fit.json)' },
    report: { type: 'string', value: 'FILE.html', help: "the fit's HTML report (default reports/NAME-fit.html; a missing reports/ folder is made)" },
    'no-report': { type: 'boolean', help: 'write no HTML report' },
    policy: {
      type: 'string',
      value: 'FILE,…',
      help: "the arms' action probabilities for the simulated A/B test, as readout takes them (default: each arm's own log's frequencies)",
    },
    seed: SHARED_FLAGS.seed,
    db: dbFlag(false),
    json: { type: 'boolean', help: 'print the fit and its diagnostics as one JSON object' },
  },
  positionals: { min: 1, max: 1, name: 'dataset' },
  summary:
    "Fit a scenario to an imported log (domain shares, catalogues, base CTRs, a click model on item and position, feature vocabularies), compare traffic generated from it with the held-out log, and run the log's A/B test again in it",
  examples: ['crossab fit obd --out scenarios/obd-fit.json'],
} as const;

/** Every command, in the order `crossab help` lists them. */
export const COMMANDS = {
  generate: GENERATE,
  train: TRAIN,
  plan: PLAN,
  run: RUN,
  runs: RUNS,
  strategies: STRATEGIES_SPEC,
  query: QUERY,
  report: REPORT,
  check: CHECK,
  sweep: SWEEP,
  import: IMPORT,
  readout: READOUT,
  fit: FIT,
  tui: TUI,
} satisfies Record<string, CommandSpec>;
export type CommandName = keyof typeof COMMANDS;
