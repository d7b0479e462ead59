import { changedNodesSince, type AffectedNodes } from '../changes/index.js'
import type { PipelineDAG } from '../dag/index.js'
import { PipelineRun, type TierResults } from '../engine/index.js'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { RESULTS_FILE } from '../engine/run-record.js'
import { describePublished, publishReport, type PublishedReport } from '../report/index.js'
import {
  EXIT,
  countOption,
  flag,
  secondsOption,
  stringOption,
  type CliContext,
  type OptionValues,
  type ParsedArgs,
} from './command.js'
import { summarizeRun, writeLastRun } from './last-run.js'
import { dagFileOf, loadDagArg, locatingArgs, openProject } from './project.js'
import { hasFailures, totalsOf } from '../engine/run-totals.js'
import { renderSummary, setupNodesOf } from './run-summary.js'
import { TIERS, selectionOf } from './run-selection.js'
import { RunView } from './run-view.js'
import { displayPath, shellQuote } from '../text.js'
import { count, firstLine } from './text.js'

/**
 * `pipetest run` itself (run.ts holds its command line): loaded once the command line is
 * parsed and the Python worker started, since it loads the engine.
 */
export async function runPipeline(
  { values, positionals }: ParsedArgs,
  ctx: CliContext,
): Promise<number> {
  const project = openProject(values, ctx)
  const dagFile = dagFileOf(positionals.dag, 'run', ctx)
  const dag = loadDagArg(dagFile, ctx)
  // One read of the specs for the spec to run, its problems and what --changed compares.
  const built = project.builder.buildFromDagWithReport(dag)
  const { pipelineSpec, problems } = built
  const changedRef = stringOption(values, 'changed')
  const changed =
    changedRef === undefined
      ? undefined
      : changedNodesSince(changedRef || 'HEAD', pipelineSpec, {
          specFiles: new Map(built.nodes.map((entry) => [entry.node, entry.resolution.specFile])),
          ...project.reading,
        })
  const selection = selectionOf(values, dag, changed)
  if (changed !== undefined && selection.nodes?.length === 0) {
    return reportNothingChanged(changed, dag, flag(values, 'json'), ctx)
  }
  // --concurrency and --timeout win over the project configuration; unset, the engine's
  // defaults apply.
  const { config } = project
  const runOptions = {
    concurrency: countOption(values, 'concurrency', 'run') ?? config.concurrency,
    timeoutSeconds: secondsOption(values, 'timeout', 'run') ?? config.timeoutSeconds,
    cache: flag(values, 'no-cache') ? false : config.cache,
    python: project.python,
  }
  const json = flag(values, 'json')

  // Progress must never mix with JSON on stdout.
  const stream = json ? ctx.stderr : ctx.stdout
  const c = json ? ctx.err : ctx.out
  // The flow always runs the whole DAG, so then every node has progress to show.
  const selected = new Set(selection.flow ? dag.nodes : (selection.nodes ?? dag.nodes))
  const order = dag.topologicalSort()
  const nodes = order.filter((node) => selected.has(node))
  if (changed !== undefined) stream.write(describeChanged(changed, project.rootDir, c))
  warnAboutSpecs(problems, nodes, [dagFile, ...locatingArgs(values)], stream, c)

  const view = new RunView({ stream, colors: c, nodes, order, live: stream.isTTY === true })
  const run = new PipelineRun(pipelineSpec, {
    ...runOptions,
    onEvent: (event) => view.handle(event),
  })
  const tierNames = TIERS.filter((tier) => selection[tier])
  stream.write(
    `${c.bold(dag.name ?? dagFile)}: ${count(nodes.length, 'node')}, ` +
      `${tierNames.join(' + ')}${selection.flowSkipped ? c.dim(' (flow skipped: nodes selected)') : ''}\n`,
  )

  let interruptedBy: NodeJS.Signals | undefined
  let stoppedNodes: string[] = []
  const onSignal = (signal: NodeJS.Signals) => {
    if (interruptedBy) {
      // A second Ctrl-C: the user does not want to wait for the processes to be reaped.
      process.exit(exitCodeOf(interruptedBy))
    }
    interruptedBy = signal
    stoppedNodes = view.running()
    view.note(c.yellow(`Interrupted (${signal}): stopping the running scripts…`))
    run.abort(`interrupted by ${signal}`)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  let results: TierResults
  view.start()
  try {
    results = await run.runTiers(selection)
  } finally {
    await run.close(interruptedBy ? 'interrupted' : 'complete')
    view.stop()
    process.removeListener('SIGINT', onSignal)
    process.removeListener('SIGTERM', onSignal)
  }

  const state = interruptedBy ? 'interrupted' : 'complete'
  // A run creates its folder at its first execution: when no script started (an
  // interpreter that does not exist, every node blocked), there is no folder to name.
  const runFolder = existsSync(run.runFolder) ? run.runFolder : undefined
  const setup = setupNodesOf(run.events, selected, order)
  const lastRun = summarizeRun(
    results,
    { pipeline: dag.name ?? null, runId: run.runId, runDir: run.runFolder, state },
    setup,
  )
  writeLastRun(project.builder.testDataDir, dag.file!, lastRun)
  const totals = totalsOf(results)
  const published = await publishRun(run.runFolder, values, ctx)
  const failed = hasFailures(totals)

  if (json) {
    const report = {
      ok: !failed && !interruptedBy,
      state,
      ...(interruptedBy ? { interruptedBy, stopped: stoppedNodes } : {}),
      pipeline: dag.name ?? null,
      dag: dag.file,
      runId: run.runId,
      runDir: runFolder ?? null,
      tiers: tierNames,
      ...(changed
        ? {
            changedSince: changed.ref,
            changed: changed.changed.map(({ node, files }) => ({
              node,
              files: files.map((file) => displayPath(file, project.rootDir)),
            })),
            ...(changed.note === undefined ? {} : { changedNote: changed.note }),
          }
        : {}),
      totals,
      scripts: results.scripts,
      edges: results.edges,
      flow: results.flow ?? null,
      setup,
    }
    ctx.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
  } else {
    stream.write(
      `\n${renderSummary(results, {
        colors: c,
        rootDir: project.rootDir,
        runFolder: runFolder === undefined ? undefined : displayPath(runFolder, ctx.cwd),
        tiers: selection,
        setup,
        events: run.events,
      })}`,
    )
  }

  if (published) stream.write(`${describePublished(published, ctx.cwd).join('\n')}\n`)
  if (interruptedBy) {
    const what =
      stoppedNodes.length > 0 ? `stopped ${stoppedNodes.join(', ')}` : 'nothing was running'
    ctx.stderr.write(
      `${ctx.err.yellow('Interrupted')} by ${interruptedBy}: ${what}${runFolder === undefined ? '' : `; the run folder ${displayPath(runFolder, ctx.cwd)} is marked interrupted`}.\n`,
    )
    return exitCodeOf(interruptedBy)
  }
  if (!json) {
    stream.write(
      failed
        ? `${c.red(c.bold('FAILED'))}\n`
        : `${c.green(c.bold('PASSED'))} ${c.dim(`(pipetest graph ${shellQuote(dagFile)} --status shows it)`)}\n`,
    )
  }
  return failed ? EXIT.failed : EXIT.ok
}

/** The report and summaries the options and the environment ask for, once the run is closed. */
async function publishRun(
  runFolder: string,
  values: OptionValues,
  ctx: CliContext,
): Promise<PublishedReport | undefined> {
  const dir = stringOption(values, 'report')
  const summaryFile = stringOption(values, 'summary')
  if (dir === undefined && summaryFile === undefined && !ctx.env.GITHUB_STEP_SUMMARY)
    return undefined
  // Nothing ran (every node filtered out): no results to report.
  if (!existsSync(join(runFolder, RESULTS_FILE))) return undefined
  return publishReport([runFolder], { dir, summaryFile, cwd: ctx.cwd, env: ctx.env })
}

/** `--changed` found nothing to run: say so (and what was compared), and succeed. */
function reportNothingChanged(
  changed: AffectedNodes,
  dag: PipelineDAG,
  json: boolean,
  ctx: CliContext,
): number {
  if (json) {
    const report = {
      ok: true,
      state: 'nothing-changed',
      changedSince: changed.ref,
      pipeline: dag.name ?? null,
      dag: dag.file,
      changed: [],
    }
    ctx.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
  } else {
    ctx.stdout.write(
      `${ctx.out.bold(dag.name ?? 'pipeline')}: no selected node changed since ${changed.ref} (scripts, their local modules, specs, input data): nothing to run\n`,
    )
  }
  return EXIT.ok
}

/** Which nodes changed since the ref and through which files, before the progress. */
function describeChanged(changed: AffectedNodes, rootDir: string, c: CliContext['out']): string {
  const lines = changed.changed.map(({ node, files }) => {
    const shown = files.slice(0, 3).map((file) => displayPath(file, rootDir))
    const more = files.length > 3 ? ` and ${files.length - 3} more` : ''
    return `  ${c.yellow('~')} ${node}: ${shown.join(', ')}${more}`
  })
  const downstream = changed.affected.length - changed.changed.length
  const note = changed.note === undefined ? '' : `  ${c.dim(changed.note)}\n`
  return `Changed since ${changed.ref}${downstream > 0 ? ` (+${downstream} downstream)` : ''}:\n${note}${lines.join('\n')}\n`
}

function exitCodeOf(signal: NodeJS.Signals): number {
  return signal === 'SIGTERM' ? EXIT.sigterm : EXIT.sigint
}

/**
 * Spec problems do not stop the run (each shows up as a failure with its evidence), but
 * the cause and the command that lists the fixes are said first, before minutes of output.
 */
function warnAboutSpecs(
  problems: Array<{ node: string; message: string }>,
  nodes: string[],
  validateArgs: string[],
  stream: CliContext['stdout'],
  c: CliContext['out'],
): void {
  const relevant = problems.filter((problem) => nodes.includes(problem.node))
  if (relevant.length === 0) return
  const lines = relevant.map(
    (problem) => `  ${c.yellow('!')} ${problem.node}: ${firstLine(problem.message)}`,
  )
  stream.write(
    `${c.yellow(count(relevant.length, 'spec problem'))} (these nodes will likely fail; fixes: pipetest validate ${validateArgs.map(shellQuote).join(' ')})\n${lines.join('\n')}\n\n`,
  )
}
