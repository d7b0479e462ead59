import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, posix } from 'node:path'
import { makeProject, REPO_ROOT, TEST_DATA_DIR } from '../lib/generators.mjs'
import { PYTHON_LAUNCHER } from '../lib/launchers.mjs'
import { assertAllPassed } from '../lib/pipetest.mjs'
import { run, runOk } from '../lib/processes.mjs'
import { formatMs } from '../lib/table.mjs'
import { compareInterleaved, median, timed } from '../lib/timing.mjs'

const BY_HAND_TARGET = 0.4
const IN_PROCESS_TARGET = 1.0
const PER_EXECUTION_TARGET = 0.1

/** The chain of bench/fixtures/ml-pipeline, in order: node → [script, input, output]. */
const STEPS = [
  ['TabularPreprocessing', 'tabular_preprocessing', 'raw_data', 'processed_data'],
  ['FeatureScaling', 'feature_scaling', 'processed_data', 'scaled_data'],
  ['ModelTraining', 'model_training', 'scaled_data', 'model_output'],
  ['ModelEvaluation', 'model_evaluation', 'model_output', 'metrics_output'],
  ['MetricsReport', 'metrics_report', 'metrics_output', 'report_output'],
]
const FIXTURES = join(REPO_ROOT, 'bench', 'fixtures', 'ml-pipeline')
const LIBRARIES = ['pandas', 'numpy', 'sklearn']

/**
 * Measure 10 — a real workload: five Python steps (bench/fixtures/ml-pipeline) that import
 * pandas, numpy and scikit-learn and do small real work on a 600-row CSV, chained so that all
 * tiers share one execution per step. Three comparisons, timed interleaved in the same run:
 *
 * - `pipetest run` (the CLI, all tiers, a process of its own, so the worker starts cold) vs.
 *   the same five executions one after another through the hand-written launcher (a fresh
 *   interpreter each, as a person would run them) — and vs. one Python process importing
 *   the libraries once and calling each step's `main` in turn (what cursus' own tester does);
 *   in context, the same run with the execution cache on and empty (a first run, a CI job);
 * - per execution: a PipelineRun's script tier with the worker warm (each script forked from
 *   it; pipetest's whole cost per test, run folder to result) vs. the fresh launcher.
 *
 * Needs an interpreter with the three libraries: /usr/bin/python3 (Debian's python3-pandas
 * and python3-sklearn, which .ci/run installs), else `python3`; without one the rows say so.
 */
export async function measureRealWorkload({ pipetest, repeat, log }) {
  const python = await findPython()
  if (!python) {
    const why = `no interpreter with ${LIBRARIES.join(', ')} (apt-get install python3-pandas python3-sklearn)`
    log(`  skipped: ${why}`)
    return {
      rows: [
        {
          measure: '10. real workload (pandas/numpy/scikit-learn)',
          figure: 'skipped',
          baseline: why,
          ratio: null,
          target: '—',
          met: null,
        },
      ],
      details: { skipped: why },
    }
  }
  log(`  interpreter: ${python}`)
  const root = writeProject(python)
  const dagFile = join(root, 'pipeline.dag.json')
  let serial = 0

  const pipetestRun = () =>
    runOk(process.execPath, [join(REPO_ROOT, 'dist', 'cli.cjs'), 'run', dagFile], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
    })
  // A project's first run with the execution cache on (or a CI job that keeps no cache): the
  // cache holds nothing, so every execution runs, and the worker need not wait for a miss.
  const firstRunCacheOn = () => {
    rmSync(join(root, TEST_DATA_DIR, '.pipetest', 'cache'), { recursive: true, force: true })
    return runOk(process.execPath, [join(REPO_ROOT, 'dist', 'cli.cjs'), 'run', dagFile], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', PIPETEST_CACHE: '1' },
    })
  }
  const byHand = async () => {
    const base = join(root, 'baseline', String(serial++))
    for (const step of STEPS)
      await runOk(python, ['-c', PYTHON_LAUNCHER, ...launchArgs(root, base, step)], {
        cwd: root,
        detached: true,
      })
  }
  const inProcess = async () => {
    const base = join(root, 'baseline', String(serial++))
    const steps = STEPS.map((step) => launchArgs(root, base, step))
    await runOk(python, ['-c', IN_PROCESS, JSON.stringify(steps)], { cwd: root, detached: true })
  }
  const spec = new pipetest.PipelineTestingSpecBuilder({ rootDir: root }).buildFromDag(dagFile)
  const warmScripts = async () => {
    const pipelineRun = new pipetest.PipelineRun(spec, { python, concurrency: 1 })
    const { scripts } = await pipelineRun.runTiers({ scripts: true })
    await pipelineRun.close()
    assertAllPassed('real workload (script tier)', Object.values(scripts))
    const launches = Object.values(scripts).map((result) => result.launch?.mode)
    if (launches.some((mode) => mode !== 'worker')) {
      throw new Error(`expected every execution forked from the worker, got ${launches.join(', ')}`)
    }
  }

  // Correctness first: every tier passes, one execution per step.
  const check = new pipetest.PipelineRun(spec, { python })
  const tiers = await check.runTiers({ scripts: true, compatibility: true, flow: true })
  await check.close()
  assertAllPassed('real workload', [
    ...Object.values(tiers.scripts),
    ...Object.values(tiers.edges),
    ...(tiers.flow ? [tiers.flow] : []),
  ])
  if (check.executionCount !== STEPS.length) {
    throw new Error(
      `expected ${STEPS.length} executions for all tiers, pipetest ran ${check.executionCount}`,
    )
  }
  const variants = { pipetestRun, byHand, inProcess, firstRunCacheOn }
  for (const variant of Object.values(variants)) await variant() // untimed: page cache, bytecode
  const timings = await compareInterleaved(variants, repeat)
  // Per execution with a warm worker: each timed run right after an untimed one, since the
  // worker is let go after 10 s idle, less than the by-hand baseline takes on a busy machine.
  const warm = []
  for (let i = 0; i < repeat; i++) {
    await warmScripts()
    warm.push((await timed(warmScripts)).ms)
  }
  timings.warmScripts = { median: median(warm), samples: warm }
  const t = (name) => timings[name].median
  const perExecution = t('warmScripts') / STEPS.length
  const freshPerExecution = t('byHand') / STEPS.length
  log(
    `  pipetest run ${formatMs(t('pipetestRun'))} (first run, cache on: ${formatMs(t('firstRunCacheOn'))}), by hand ${formatMs(t('byHand'))}, in one process ${formatMs(t('inProcess'))}; per execution ${formatMs(perExecution)} vs ${formatMs(freshPerExecution)}`,
  )
  const rows = [
    {
      measure: '10. real workload, all tiers vs by hand',
      figure: formatMs(t('pipetestRun')),
      baseline: `${formatMs(t('byHand'))} launcher, one step after another`,
      ratio: t('pipetestRun') / t('byHand'),
      target: `≤ ${BY_HAND_TARGET}×`,
      met: t('pipetestRun') / t('byHand') <= BY_HAND_TARGET,
    },
    {
      measure: '10. real workload, all tiers vs in one process',
      figure: formatMs(t('pipetestRun')),
      baseline: `${formatMs(t('inProcess'))} one Python, libraries imported once`,
      ratio: t('pipetestRun') / t('inProcess'),
      target: `≤ ${IN_PROCESS_TARGET}×`,
      met: t('pipetestRun') / t('inProcess') <= IN_PROCESS_TARGET,
    },
    {
      measure: '10. (context) the same, first run with the cache on (empty)',
      figure: formatMs(t('firstRunCacheOn')),
      baseline: `${formatMs(t('inProcess'))} one Python, libraries imported once`,
      ratio: t('firstRunCacheOn') / t('inProcess'),
      target: 'context',
      met: null,
    },
    {
      measure: '10. real workload, per execution (worker)',
      figure: formatMs(perExecution),
      baseline: `${formatMs(freshPerExecution)} fresh launcher`,
      ratio: perExecution / freshPerExecution,
      target: `≤ ${PER_EXECUTION_TARGET}×`,
      met: perExecution / freshPerExecution <= PER_EXECUTION_TARGET,
    },
  ]
  return {
    rows,
    details: {
      python,
      executions: STEPS.length,
      medianMs: Object.fromEntries(Object.keys(timings).map((name) => [name, t(name)])),
      samplesMs: Object.fromEntries(Object.entries(timings).map(([name, s]) => [name, s.samples])),
    },
  }
}

/** /usr/bin/python3, then python3: the first that imports the three libraries. */
async function findPython() {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    const probe = await run(candidate, [
      '-c',
      `import sys, ${LIBRARIES.join(', ')}; print(sys.executable)`,
    ]).catch(() => undefined)
    if (probe?.code === 0) return probe.stdout.trim()
  }
  return undefined
}

/** The project: scripts, a chained DAG, one spec per step (path wiring), the raw CSV. */
function writeProject(python) {
  const root = makeProject('real-workload')
  mkdirSync(join(root, 'scripts'))
  for (const file of readdirSync(FIXTURES))
    copyFileSync(join(FIXTURES, file), join(root, 'scripts', file))
  const specsDir = join(root, TEST_DATA_DIR, '.specs')
  mkdirSync(specsDir, { recursive: true })
  const rawDir = join(root, TEST_DATA_DIR, 'tabular_preprocessing', 'input')
  mkdirSync(rawDir, { recursive: true })
  writeFileSync(join(rawDir, 'records.csv'), records(600))
  for (const [node, script, input, output] of STEPS) {
    const index = STEPS.findIndex(([name]) => name === node)
    const inputPath =
      index === 0 ? posix.join(TEST_DATA_DIR, script, 'input') : outputPathOf(STEPS[index - 1])
    const spec = {
      script_name: script,
      step_name: node,
      script_path: `scripts/${script}.py`,
      input_paths: { [input]: inputPath },
      output_paths: { [output]: outputPathOf(STEPS[index]) },
      environ_vars: { LABEL_FIELD: 'label', MIN_AUC: '0.55' },
      job_args: { max_iter: 300 },
      last_updated: null,
      user_notes: 'pipetest bench: real workload',
    }
    writeFileSync(
      join(specsDir, `${script}_runtime_test_spec.json`),
      `${JSON.stringify(spec, null, 2)}\n`,
    )
  }
  const dag = {
    name: 'real-workload',
    nodes: STEPS.map(([node, script]) => ({ name: node, script: `scripts/${script}.py` })),
    edges: STEPS.slice(1).map(([node], i) => ({ from: STEPS[i][0], to: node })),
  }
  writeFileSync(join(root, 'pipeline.dag.json'), `${JSON.stringify(dag, null, 2)}\n`)
  writeFileSync(join(root, 'pipetest.config.json'), `${JSON.stringify({ python }, null, 2)}\n`)
  return root
}

function outputPathOf([, script]) {
  return posix.join(TEST_DATA_DIR, script, 'output')
}

/** Deterministic records: numeric features with gaps, a category, a label they predict. */
function records(count) {
  const lines = ['id,age,income,balance,visits,category,label']
  let seed = 7
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
  for (let id = 1; id <= count; id++) {
    const age = Math.round(20 + next() * 50)
    const income = Math.round(20_000 + next() * 80_000)
    const balance = (next() * 10_000).toFixed(2)
    const visits = next() < 0.1 ? '' : String(Math.round(next() * 20))
    const category = ['a', 'b', 'c'][Math.floor(next() * 3)]
    const label = income / 100_000 + age / 100 + next() * 0.6 > 1.0 ? 1 : 0
    lines.push([id, age, income, balance, visits, category, label].join(','))
  }
  return `${lines.join('\n')}\n`
}

/** Arguments of one step for the launchers: script, then its JSON arguments. */
function launchArgs(root, base, [, script, input, output]) {
  const index = STEPS.findIndex(([, name]) => name === script)
  const inputPath =
    index === 0 ? join(root, TEST_DATA_DIR, script, 'input') : join(base, STEPS[index - 1][3])
  const args = {
    inputPaths: { [input]: inputPath },
    outputPaths: { [output]: join(base, output) },
    environVars: { LABEL_FIELD: 'label', MIN_AUC: '0.55' },
    jobArgs: { max_iter: 300 },
  }
  return [join(root, 'scripts', `${script}.py`), JSON.stringify(args)]
}

/** cursus' way: one interpreter, the libraries imported once, every step's main in turn. */
const IN_PROCESS = [
  'import argparse, importlib.util, json, sys',
  `import ${LIBRARIES.join(', ')}`,
  'for script, raw in json.loads(sys.argv[1]):',
  '    a = json.loads(raw)',
  "    s = importlib.util.spec_from_file_location('step', script)",
  '    m = importlib.util.module_from_spec(s)',
  '    s.loader.exec_module(m)',
  "    m.main(a['inputPaths'], a['outputPaths'], a['environVars'], argparse.Namespace(**a['jobArgs']))",
].join('\n')
