import { existsSync } from 'node:fs'
import type { ExecutionCache } from '../cache/index.js'
import { abortReason, runExecution, resolvePython, selectRunner } from '../runners/index.js'
import { formatDuration, specSetCommandLine } from '../text.js'
import type { ExecutionRequest, ProcessReport } from '../runners/types.js'
import { effectiveJobArgs, type RunnerKind, type ScriptExecutionSpec } from '../spec/index.js'
import {
  describeOutput,
  messages,
  notRunResult,
  ranResult,
  type ExecutionIdentity,
  type RunnableExecution,
} from './execution-result.js'
import { compareFingerprints, describeInputChanges, fingerprintInputs } from './input-guard.js'
import { discoverOutputs } from './outputs.js'
import { executionCacheKey, restoreCached, storeExecution } from './cached-execution.js'
import type { ResolvedRunOptions } from './run-options.js'
import { brokenChecks, checkPortData, describeDataChecks } from './data-checks.js'
import type { DataCheck, ExecutionResult, Outcome } from './results.js'
import type { ExecutionScheduler } from './scheduler.js'
import {
  filesWrittenIn,
  pipetestDirOf,
  prepareOutputPaths,
  prepareWorkingDir,
  type RunWorkspace,
} from './workspace.js'

/** What an execution needs of its run (the ExecutionEngine). */
export interface NodeExecutionContext {
  workspace: RunWorkspace
  scheduler: ExecutionScheduler
  options: ResolvedRunOptions
  signal: AbortSignal
  /** What → file: the files pipetest depends on (DAG, specs, scripts), watched while it runs. */
  projectFiles: Record<string, string>
  /** The execution cache, when on: a hit is restored instead of run, a pass is stored. */
  cache: ExecutionCache | undefined
  /** Rank among waiting executions (the longest remaining path); higher starts first. */
  priority(id: string): number
  /** The execution is about to run: it was not restored from the cache. */
  aboutToRun(): void
  /** The execution was stored in the cache. */
  onStored(): void
}

/**
 * Runs one script the way a test needs it: refuse early what cannot run (no script,
 * missing inputs — all of them listed — no interpreter) without starting anything; otherwise,
 * inside a concurrency slot, give the script fresh output folders, run it, check that it wrote
 * every declared output and left its inputs alone.
 */
export async function executeNode(
  execution: RunnableExecution,
  planned: ExecutionIdentity,
  context: NodeExecutionContext,
): Promise<ExecutionResult> {
  const { spec, node, scriptPath } = execution
  const runner = selectRunner({ runner: spec.runner, scriptPath, command: spec.command })
  const identity: ExecutionIdentity = { ...planned, runner, inputs: execution.inputs }
  const fail = (outcome: Outcome, message: string, extra?: Partial<ExecutionResult>) =>
    notRunResult(identity, 'failed', outcome, message, extra)

  const scriptNeeded = !(runner === 'command' && spec.command && !usesScript(spec.command))
  if (scriptNeeded && (!scriptPath || !existsSync(scriptPath))) {
    return fail('script-not-found', scriptNotFound(execution))
  }

  const missingInputs = Object.entries(execution.inputs)
    .filter(([, path]) => !existsSync(path))
    .map(([name, path]) => ({ name, path }))
  if (missingInputs.length > 0) {
    return fail('missing-inputs', missingInputsMessage(execution, identity, missingInputs), {
      missingInputs,
    })
  }

  // A schema mismatch is reported as one before the script runs, not as the KeyError it
  // would raise deep in its traceback.
  const inputChecks = await checkPortData(
    'input',
    spec.inputContracts,
    execution.inputs,
    identity.wiredFrom,
  )
  if (brokenChecks(inputChecks).length > 0) {
    return fail('input-contract', inputContractMessage(execution, inputChecks), {
      dataChecks: inputChecks,
    })
  }

  let python = spec.python ?? context.options.python
  if (runner === 'python') {
    try {
      python = await resolvePython(python)
    } catch (error) {
      return fail('interpreter-not-found', errorMessage(error))
    }
  }

  const { cache } = context
  const key = cache
    ? await executionCacheKey(execution, runner, python, cache, context.workspace.testDataDir)
    : undefined
  if (cache && key !== undefined) {
    const hit = await restoreCached(execution, identity, key, cache, context.workspace)
    if (hit) {
      emitStarted(execution, context)
      return checkOutputData(hit, spec, inputChecks)
    }
  }

  context.aboutToRun()
  try {
    const result = await context.scheduler
      .withSlot(
        () => runInFreshFolders(execution, identity, runner, python, context),
        context.signal,
        () => context.priority(execution.id),
      )
      .then((result) => checkOutputData(result, spec, inputChecks))
    if (cache === undefined || key === undefined) return result
    if (await storeExecution(result, key, cache, context.workspace.runId)) context.onStored()
    return { ...result, cacheKey: key }
  } catch (error) {
    if (context.signal.aborted) {
      return fail('aborted', `Not run: the run was aborted (${abortReason(context.signal)}).`)
    }
    return fail('spawn-error', `pipetest could not run ${node}: ${errorMessage(error)}`)
  }
}

async function runInFreshFolders(
  execution: RunnableExecution,
  identity: ExecutionIdentity,
  runner: RunnerKind,
  python: string,
  context: NodeExecutionContext,
): Promise<ExecutionResult> {
  const { spec } = execution
  emitStarted(execution, context)
  const startedAt = new Date().toISOString()
  const executionDir = context.workspace.createExecutionDir(execution.node, execution.purpose)
  const outputPaths = prepareOutputPaths(executionDir, spec.outputPaths)
  const guard = {
    // The run folders receive this run's outputs; an input may be the test data dir itself.
    exclude: [pipetestDirOf(context.workspace.testDataDir)],
    signal: context.signal,
  }
  // Size and mtime suffice for our own files: a script rewriting them does not hide it.
  const projectGuard = { limits: { hashedFileBytes: 0 } }
  const workingDir = spec.workingDir === 'project' ? execution.cwd : prepareWorkingDir(executionDir)
  const before = await fingerprintInputs(execution.inputs, guard)
  const projectBefore = await fingerprintInputs(context.projectFiles, projectGuard)
  const request: ExecutionRequest = {
    runner,
    scriptPath: execution.scriptPath ?? '',
    ...(spec.command ? { command: spec.command } : {}),
    inputPaths: execution.inputs,
    outputPaths,
    environVars: spec.environVars,
    jobArgs: effectiveJobArgs(spec, execution.node),
    cwd: workingDir,
    projectRoot: execution.cwd,
    timeoutMs: (spec.timeoutSeconds ?? context.options.timeoutSeconds) * 1000,
    signal: context.signal,
    logDir: executionDir,
    python,
    pythonWorker: context.options.pythonWorker,
    isolation: spec.isolation,
  }
  const report = await runExecution(request)
  const outputs = discoverOutputs(outputPaths)
  const after = await fingerprintInputs(execution.inputs, guard)
  const changes = compareFingerprints(before, after)
  const guardNotes = [...new Set([...before.notes, ...after.notes])]
  const projectChanges = compareFingerprints(
    projectBefore,
    await fingerprintInputs(context.projectFiles, projectGuard),
  )

  // The process's evidence as the runner reported it; its message and escapes are judged below.
  const { message: _judged, escapedProcesses: _noted, stdoutLog, stderrLog, ...evidence } = report
  const logs = { stdout: stdoutLog, stderr: stderrLog }
  const result = ranResult(identity, executionDir, outputs, { ...evidence, logs, startedAt })
  return judge(result, report, {
    inputChanges: changes.length > 0 ? describeInputChanges(changes) : undefined,
    projectChanges:
      projectChanges.length > 0
        ? describeInputChanges(projectChanges, 10, (c) => `${c.change} ${c.path} (${c.input})`)
        : undefined,
    workingDir: workingDir === execution.cwd ? undefined : workingDir,
    notes: [...escapeNote(report), ...guardNotes],
  })
}

/** What the engine saw around the process, besides the process itself. */
interface Findings {
  inputChanges: string | undefined
  projectChanges: string | undefined
  /** The execution's own working directory (undefined when the script ran in the project). */
  workingDir: string | undefined
  notes: string[]
}

/**
 * Passed only when the process succeeded, every declared output holds data and the inputs
 * are untouched. Modifying the inputs is reported even when the script failed for another
 * reason: it is the user's data.
 */
function judge(
  result: ExecutionResult,
  report: ProcessReport,
  findings: Findings,
): ExecutionResult {
  const { inputChanges, projectChanges, workingDir, notes } = findings
  // The guard's notes (a bound it hit) close what happened; the run folder follows.
  const say = (what: string) => messages([what, ...notes].join('\n'), result.runDir)
  const changedInputs = inputChanges
    ? `The script changed its inputs (they are the user's data and must stay as they were):\n${inputChanges}`
    : undefined
  const changedProject = projectChanges
    ? `Files pipetest depends on changed while the script ran (by it, or by a script running at the same time):\n${projectChanges}`
    : undefined
  const failed = (outcome: Outcome, ...lines: Array<string | undefined>): ExecutionResult => ({
    ...result,
    status: 'failed',
    outcome,
    ...say(lines.filter((line) => line !== undefined).join('\n')),
  })
  if (report.outcome !== 'success') {
    const relative = workingDir ? relativePathHint(report, workingDir) : undefined
    return failed(report.outcome, report.message, relative, changedInputs, changedProject)
  }
  if (changedProject) return failed('project-modified', changedProject, changedInputs)
  if (changedInputs) {
    const what = `${result.scriptName} modified or deleted its own input data.`
    return failed('input-modified', what, changedInputs)
  }
  if (result.missingOutputs.length > 0) {
    const stray = workingDir ? strayFilesNote(workingDir) : undefined
    return failed('missing-outputs', missingOutputsMessage(result), stray)
  }
  const wrote = result.outputs.map(describeOutput).join(', ')
  return {
    ...result,
    status: 'passed',
    outcome: 'success',
    ...say(`Ran in ${formatDuration(result.durationMs)}${wrote ? ` and wrote ${wrote}` : ''}.`),
  }
}

function emitStarted(execution: RunnableExecution, context: NodeExecutionContext): void {
  const { node, id: executionId, purpose } = execution
  context.scheduler.emit({ type: 'started', node, executionId, purpose })
}

/**
 * Files the script wrote by relative path land in its working directory: when an output is
 * missing, they are likely where it went.
 */
function strayFilesNote(workingDir: string): string | undefined {
  const { files, more } = filesWrittenIn(workingDir)
  if (files.length === 0) return undefined
  const count = files.length + more
  return [
    `The script wrote ${count} file${count === 1 ? '' : 's'} in its working directory (relative paths resolve there, not in the project): ${files.join(', ')}${more > 0 ? ` and ${more} more` : ''}.`,
    `Write to the paths in output_paths instead; or set "working_dir": "project" in the spec to run it in the project root.`,
  ].join('\n')
}

/** A "file not found" for a relative path, in the message or traceback of a failure. */
const RELATIVE_NOT_FOUND =
  /(?:No such file or directory|ENOENT[^'"\n]*)[^'"\n]*?['"]((?![\\/]|[A-Za-z]:)[^'"\n]+)['"]/

function relativePathHint(report: ProcessReport, workingDir: string): string | undefined {
  const text = `${report.message}\n${report.traceback ?? ''}\n${report.stderrTail}`
  const path = RELATIVE_NOT_FOUND.exec(text)?.[1]
  if (path === undefined) return undefined
  return `The relative path '${path}' was not found: relative paths resolve in the script's own working directory (${workingDir}), not in the project. Use the paths pipetest passes (input_paths), or set "working_dir": "project" in the spec.`
}

/** Processes that left the group are killed either way; the user should know they exist. */
function escapeNote(report: ProcessReport): string[] {
  const escaped = report.escapedProcesses ?? []
  if (escaped.length === 0) return []
  const shown = escaped
    .slice(0, 5)
    .map(
      ({ pid, command }) =>
        `${pid} (${command.length > 80 ? `${command.slice(0, 79)}…` : command})`,
    )
  const more = escaped.length > 5 ? ` and ${escaped.length - 5} more` : ''
  const count = `${escaped.length} process${escaped.length === 1 ? '' : 'es'}`
  return [
    `The script left ${count} running outside its process group (setsid, detached); pipetest killed ${escaped.length === 1 ? 'it' : 'them'}: ${shown.join(', ')}${more}.`,
  ]
}

/**
 * A run that passed is checked against its output contracts: data that breaks one fails the
 * test with what is wrong, column by column.
 */
async function checkOutputData(
  result: ExecutionResult,
  spec: ScriptExecutionSpec,
  inputChecks: DataCheck[],
): Promise<ExecutionResult> {
  if (result.status !== 'passed' || spec.outputContracts === undefined) {
    return inputChecks.length > 0 ? { ...result, dataChecks: inputChecks } : result
  }
  const paths = Object.fromEntries(result.outputs.map((output) => [output.name, output.path]))
  const outputChecks = await checkPortData('output', spec.outputContracts, paths)
  const dataChecks = [...inputChecks, ...outputChecks]
  const broken = brokenChecks(outputChecks)
  if (broken.length === 0) return { ...result, dataChecks }
  const ports = broken.map((check) => check.port).join(', ')
  return {
    ...result,
    status: 'failed',
    outcome: 'output-contract',
    dataChecks,
    ...messages(
      [
        `The script succeeded but ${broken.length === 1 ? 'its output' : 'outputs'} ${ports} ${broken.length === 1 ? 'breaks its' : 'break their'} data contract:`,
        ...describeDataChecks(outputChecks),
        `If the change is intended, update "output_contracts" in ${result.scriptName}'s spec (pipetest record ${result.node} writes what it sees).`,
      ].join('\n'),
      result.runDir,
    ),
  }
}

function inputContractMessage(execution: RunnableExecution, checks: DataCheck[]): string {
  const broken = brokenChecks(checks)
  const wired = broken.some((check) => check.from !== undefined)
  return [
    `Input data breaks ${execution.spec.scriptName}'s input contract (the script was not run):`,
    ...describeDataChecks(checks),
    wired
      ? `Fix the upstream step, or update "input_contracts" in ${execution.spec.scriptName}'s spec if ${execution.node} should accept this data.`
      : `Fix the input data, or update "input_contracts" in ${execution.spec.scriptName}'s spec.`,
  ].join('\n')
}

function missingOutputsMessage(result: ExecutionResult): string {
  const produced = result.outputs.filter((o) => o.produced)
  const missing = result.outputs.filter((o) => !o.produced)
  return [
    `The script succeeded but did not write ${missing.length} of ${result.outputs.length} declared outputs: ${missing.map((o) => o.name).join(', ')}.`,
    `  produced (${produced.length}): ${produced.map(describeOutput).join(', ') || 'none'}`,
    `  missing (${missing.length}): ${missing.map(describeOutput).join(', ')}`,
    'A declared output counts when it is a non-empty file or a folder holding at least one data file.',
  ].join('\n')
}

function missingInputsMessage(
  execution: RunnableExecution,
  { wiredFrom }: ExecutionIdentity,
  missing: Array<{ name: string; path: string }>,
): string {
  const total = Object.keys(execution.inputs).length
  const lines = [
    `Script '${execution.spec.scriptName}' requires the following input data (${missing.length} of ${total} inputs missing, the script was not run):`,
  ]
  for (const { name, path } of missing) {
    const source = wiredFrom[name]
    lines.push(`  - ${name}: ${path}${source ? ` (from ${source.node}.${source.output})` : ''}`)
  }
  const command = specSetCommandLine(execution.node, {
    inputs: Object.fromEntries(missing.map(({ name }) => [name, 'PATH'])),
  })
  lines.push(`Create the data at these paths, or point the spec at existing data: ${command}`)
  return lines.join('\n')
}

function scriptNotFound(execution: RunnableExecution): string {
  const command = specSetCommandLine(execution.node, { script: 'PATH' })
  return execution.scriptPath
    ? `Script not found: ${execution.scriptPath}\nFix the path: ${command} (or the node's "script" in the DAG file).`
    : `No script for ${execution.node}: neither its spec nor the DAG node names one.\nSet it: ${command} (or give the node a "script" in the DAG file).`
}

function usesScript(command: string[]): boolean {
  return command.some((arg) => arg.includes('{script}'))
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
