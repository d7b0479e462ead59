import { DEFAULT_REPORT_DIR, REPORT_FILE } from '../report/report-files.js'
import type { CommandDef } from './command.js'
import { startPythonEarly } from './early-python.js'
import { dagPositional, projectOptions } from './project-options.js'

export const runCommand: CommandDef = {
  name: 'run',
  positionals: [dagPositional],
  options: {
    tier: {
      type: 'string',
      multiple: true,
      value: 'T',
      description: 'Only this tier: scripts, compatibility or flow (default: all three)',
    },
    only: {
      type: 'string',
      multiple: true,
      value: 'SEL',
      description:
        'Only the selected nodes (their script tests and the edges between them); upstream nodes they read from run as setup',
    },
    from: {
      type: 'string',
      value: 'NODE',
      description: 'Only this node and everything downstream of it',
    },
    to: {
      type: 'string',
      value: 'NODE',
      description: 'Only this node and everything upstream of it',
    },
    changed: {
      type: 'string',
      optionalValue: true,
      value: 'REF',
      description:
        'Only nodes whose script, imported local modules, spec, input data or DAG entry changed since the git REF (default HEAD: uncommitted changes), and everything downstream',
    },
    concurrency: {
      type: 'string',
      value: 'N',
      description: 'Scripts running at once (default: the number of cores)',
    },
    timeout: {
      type: 'string',
      value: 'S',
      description: "Timeout of one execution in seconds (default 300; a spec's own wins)",
    },
    'no-cache': {
      type: 'boolean',
      description:
        'Run every script, using no stored result and storing none (also: PIPETEST_CACHE=0)',
    },
    json: {
      type: 'boolean',
      description: 'Print the results as JSON on stdout (progress goes to stderr)',
    },
    report: {
      type: 'string',
      optionalValue: true,
      value: 'DIR',
      description: `Write the HTML report to DIR/${REPORT_FILE} (default DIR: ${DEFAULT_REPORT_DIR})`,
    },
    summary: {
      type: 'string',
      value: 'FILE',
      description: 'Write a Markdown summary (counts, failures, Mermaid chart) to FILE',
    },
    ...projectOptions,
  },
  notes: [
    'Tiers: "scripts" runs each node on its spec inputs; "compatibility" runs each edge\'s\n' +
      'downstream node on the upstream\'s real outputs; "flow" runs the whole DAG in order with\n' +
      'inputs wired along the edges. A node whose upstream failed is "blocked" (not run).\n' +
      'Selectors (--only, as in dbt): Node, +Node (with its ancestors), Node+ (with its\n' +
      'descendants), 2+Node+1 (depths), @Node, tag:NAME (tags of DAG nodes), Name* (wildcard).\n' +
      'A space or a repeated --only unites; a comma intersects: --only "tag:nightly,Prep+".\n' +
      '--from and --to narrow what --only selects; --from A --to B is the path from A to B.\n' +
      '--changed REF compares the working tree (untracked files too) with REF, e.g. origin/main.\n' +
      'With --only, --from, --to or --changed, the flow (always the whole DAG) runs only if\n' +
      '--tier flow is given. When --changed finds no selected node changed, nothing runs (exit 0).\n' +
      'A script whose code, imported modules, spec, interpreter and inputs are unchanged since it\n' +
      'last passed is not run again: its outputs and logs are restored from the execution cache\n' +
      '(see pipetest cache --help).\n' +
      'Python scripts start as forks of a worker that has imported their libraries once, each in\n' +
      'its own session, environment and folder (PIPETEST_PYTHON_WORKER=0: a fresh interpreter each).\n' +
      'Under GitHub Actions (GITHUB_STEP_SUMMARY set) the Markdown summary is added to the job summary.\n' +
      'Exit code: 0 all passed, 1 anything failed or blocked, 130/143 interrupted (SIGINT/SIGTERM:\n' +
      'running scripts are killed and the run folder is marked interrupted).',
  ],
  examples: [
    'pipetest run pipelines/fraud/pipeline.dag.json',
    'pipetest run pipeline.dag.json --from XGBoostTraining --tier scripts',
    "pipetest run pipeline.dag.json --only '+ModelTraining tag:eval'",
    'pipetest run pipeline.dag.json --changed origin/main',
    'pipetest run pipeline.dag.json --json > results.json',
    'pipetest run pipeline.dag.json --report        # reports/pipetest-report.html',
  ],
  async run(args, ctx) {
    // Python starts first; then Node loads the engine and reads the specs meanwhile.
    startPythonEarly(args.values, args.positionals.dag, ctx)
    const { runPipeline } = await import('./run-pipeline.js')
    return runPipeline(args, ctx)
  },
}
