import type { ContractViolation } from '../data/check.js'
import type { ProcessOutcome, ProcessReport } from '../runners/types.js'
import type { RunnerKind } from '../spec/script-execution-spec.js'

/**
 * Results are plain, serialisable objects (JSON, JUnit properties, worker boundaries),
 * discriminated by `status`; failures say what kind of failure in `outcome`.
 */
export type TestStatus = 'passed' | 'failed' | 'blocked' | 'skipped'

/** How an execution ended: how its process ended (runners), or what the engine found. */
export type Outcome =
  | ProcessOutcome
  /** Declared inputs do not exist; reported before running, all at once. */
  | 'missing-inputs'
  /** The script succeeded but did not write every declared output. */
  | 'missing-outputs'
  /** An input holds data that breaks the script's input contract; the script was not run. */
  | 'input-contract'
  /** The script succeeded but an output breaks its data contract. */
  | 'output-contract'
  /** The script changed or deleted one of its inputs (the user's data). */
  | 'input-modified'
  /** A file pipetest depends on (the DAG, a spec, a script) changed during the execution. */
  | 'project-modified'
  /** An edge's ports cannot be matched. */
  | 'unresolved-ports'
  /** Not run because an upstream node failed (see `blockedBy`). */
  | 'blocked'
  /** Not run because its tier is disabled or it was filtered out. */
  | 'skipped'

/** One declared output after the execution. */
export interface OutputReport {
  name: string
  /** Absolute path the script was given. */
  path: string
  /** True when the path holds data: a non-empty file or a folder with a non-temporary file. */
  produced: boolean
  kind: 'file' | 'directory' | 'missing'
  /** Data files found (temporary/system files excluded), at any depth. */
  files: number
  bytes: number
  /**
   * A folder that holds no data file but other files (temporary, hidden or 0-byte ones):
   * how many, and the first few paths inside it, so "empty" is never said of it.
   */
  nonData?: { count: number; examples: string[] }
}

/** One port's data checked against its contract (see src/data); no violations means it held. */
export interface DataCheck {
  /** The output or input name. */
  port: string
  direction: 'input' | 'output'
  /** Absolute path of the data checked. */
  path: string
  /** For an input fed by an upstream step: that step and its output. */
  from?: InputSource
  violations: ContractViolation[]
}

/** Where a wired input came from. */
export interface InputSource {
  node: string
  output: string
}

/**
 * One execution of one script (the unit every test result is built from): the runner's
 * report of its process (exit, tails, traceback, Python's launch) and what the engine found.
 */
export interface ExecutionResult extends Pick<
  ProcessReport,
  'exitCode' | 'signal' | 'durationMs' | 'stdoutTail' | 'stderrTail' | 'traceback' | 'launch'
> {
  /** Stable id of the execution (node + resolved inputs); equal ids are the same execution. */
  id: string
  node: string
  scriptName: string
  scriptPath: string | undefined
  runner: RunnerKind | undefined
  status: TestStatus
  outcome: Outcome
  /** What happened, first line first; multi-line details allowed. */
  shortMessage: string
  /** `shortMessage`, then where the evidence is (the run folder), as execa's errors do. */
  message: string
  /** Full logs, when the process ran. */
  logs: { stdout?: string; stderr?: string }
  /**
   * The execution's folder under `<testDataDir>/.pipetest/runs/<run>/` (the run folder when
   * nothing ran). `runDir` is a published name (results.json, JUnit properties); in code the
   * run folder is `runFolder` and an execution's folder `executionDir`.
   */
  runDir: string
  /** Logical input name → absolute path given to the script. */
  inputs: Record<string, string>
  /** Inputs fed by upstream outputs rather than the spec. */
  wiredFrom: Record<string, InputSource>
  missingInputs: Array<{ name: string; path: string }>
  outputs: OutputReport[]
  producedOutputs: string[]
  missingOutputs: string[]
  /** Inputs and outputs checked against the spec's data contracts, in that order. */
  dataChecks?: DataCheck[]
  /** The upstream node whose failure kept this one from running. */
  blockedBy?: string
  startedAt: string
  /** The execution cache's key (src/cache); absent when the cache is off or the node opts out. */
  cacheKey?: string
  /** Set when the outputs and logs were restored from the cache instead of running the script. */
  cached?: CachedFrom
}

/** The earlier execution a cached result was restored from. */
export interface CachedFrom {
  /** The run that executed the script (its folder may since have been pruned). */
  runId: string
  /** That execution's folder. */
  executionDir: string
  /** When it was stored (ISO). */
  storedAt: string
  /** How long the script took then. */
  durationMs: number
}

/** `testScript…` result: an execution of the node on its spec inputs, plus cursus' fields. */
export interface ScriptTestResult extends ExecutionResult {
  kind: 'script'
  /** cursus compatibility: status === 'passed'. */
  success: boolean
  /** cursus compatibility: false for no-main / import-error / script-not-found. */
  hasMainFunction: boolean
  /** cursus compatibility: message when failed, else undefined. */
  errorMessage?: string
  /** cursus compatibility: seconds. */
  executionTime: number
}

/** One wired port of an edge. */
export interface PortWiring {
  output: string
  input: string
  /** How the pair was found. */
  via: 'ports' | 'path' | 'name' | 'single' | 'similarity'
  /**
   * Set when the downstream input lies inside the upstream output folder
   * (`prep/out/train` inside `prep/out`): the part below the output, here `train`.
   */
  subpath?: string
  /** Absolute path of the upstream output fed to the downstream input. */
  path?: string
}

/** `testDataCompatibility…` result for an edge A → B. */
export interface DataCompatibilityResult extends Pick<
  ExecutionResult,
  'status' | 'outcome' | 'message' | 'blockedBy' | 'durationMs'
> {
  kind: 'edge'
  from: string
  to: string
  /** cursus compatibility. */
  scriptA: string
  scriptB: string
  compatible: boolean
  compatibilityIssues: string[]
  wiring: PortWiring[]
  upstream?: ExecutionResult
  downstream?: ExecutionResult
  dataFormatA?: string
  dataFormatB?: string
}

/**
 * `testPipelineFlow…` result: the whole DAG in topological order, inputs wired along edges.
 * As in ExecutionResult, `message` adds the run folder to `shortMessage`.
 */
export interface PipelineFlowResult extends Pick<
  ExecutionResult,
  'status' | 'outcome' | 'shortMessage' | 'message' | 'durationMs'
> {
  kind: 'flow'
  /** cursus compatibility: status === 'passed'. */
  pipelineSuccess: boolean
  executionOrder: string[]
  scriptResults: Record<string, ExecutionResult>
  /** Keyed `"A->B"`. */
  dataFlowResults: Record<string, DataCompatibilityResult>
  errors: string[]
  failedNodes: string[]
  blockedNodes: string[]
  /** The run folder (a published name, see {@link ExecutionResult.runDir}). */
  runDir: string
}

export type TestResult = ScriptTestResult | DataCompatibilityResult | PipelineFlowResult
