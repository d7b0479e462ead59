import type { RunnerKind } from '../spec/script-execution-spec.js'

/**
 * One execution of one script, fully resolved by the engine: absolute paths, fresh output
 * folders, the interpreter to use. Runners turn it into a child process and nothing else.
 */
export interface ExecutionRequest {
  runner: RunnerKind
  /** Absolute path of the script (for `command`, the executable when `command` is unset). */
  scriptPath: string
  /** argv template for the command runner (`{input:NAME}`, `{output:NAME}`, `{arg:NAME}`, `{script}`). */
  command?: string[]
  /** Logical input name → absolute path (spec inputs, or upstream outputs when wired). */
  inputPaths: Record<string, string>
  /** Logical output name → absolute path inside this execution's fresh run folder. */
  outputPaths: Record<string, string>
  environVars: Record<string, string>
  jobArgs: Record<string, unknown>
  /** Working directory of the child process (its own folder in the run, or the project root). */
  cwd: string
  /** The project root: a relative program in a command template (`./run.sh`) is found there. */
  projectRoot?: string
  timeoutMs: number
  signal?: AbortSignal
  /** Folder where `stdout.log` and `stderr.log` are written in full. */
  logDir: string
  /** Python interpreter (already resolved to a real executable when possible). */
  python: string
  /**
   * Python: false runs every script in a fresh interpreter (run option `pythonWorker`);
   * 'if-running' uses a worker only if one is running already (a run with a single Python
   * execution, which starting a worker cannot pay for).
   */
  pythonWorker?: boolean | 'if-running'
  /** Python: the spec's `isolation`; "fresh" never uses the preloading worker. */
  isolation?: 'fresh' | 'worker' | undefined
}

/** How a process ended and where its output is (process.ts measures it, runners report it). */
export interface ProcessEvidence {
  exitCode: number | null
  /** The signal that ended the process (ours or not). */
  signal: string | null
  durationMs: number
  /** Last lines of the output (bounded), for failure messages. */
  stdoutTail: string
  stderrTail: string
  /** Full logs on disk. */
  stdoutLog: string
  stderrLog: string
}

/** What a runner reports about the process; the engine adds outputs, inputs and status. */
export interface ProcessReport extends ProcessEvidence {
  /** `success` when the script's main returned / the command exited 0. */
  outcome: ProcessOutcome
  /** One or two sentences for a human, e.g. "main() raised KeyError: 'label'". */
  message: string
  /** Python/Node stack trace of an import error or exception in main, when there is one. */
  traceback?: string
  /** Processes the script left running outside its process group; pipetest killed them. */
  escapedProcesses?: Array<{ pid: number; command: string }>
  /** Python: forked by the preloading worker, or a fresh interpreter (and why). */
  launch?: LaunchNote
}

/** How a Python execution's interpreter was started (see python-worker.ts). */
export interface LaunchNote {
  mode: 'worker' | 'fresh'
  /** Why a fresh interpreter ran it, when the worker was not used. */
  reason?: string
}

export type Runner = (request: ExecutionRequest) => Promise<ProcessReport>

/** How a process ended, or why it could not start; the engine adds its own (engine/results.ts). */
export type ProcessOutcome =
  | 'success'
  /** The spec itself cannot be executed (no script path, bad command template…). */
  | 'invalid-spec'
  | 'script-not-found'
  | 'interpreter-not-found'
  /** The process could not be started (not executable, ENOENT for a command). */
  | 'spawn-error'
  /** Python/Node: importing the script failed (syntax error, missing package…). */
  | 'import-error'
  | 'no-main'
  /** main() does not take the four contract parameters. */
  | 'bad-signature'
  /** main() raised / rejected. */
  | 'exception'
  /** The process exited non-zero on its own (e.g. sys.exit(3), a command failing). */
  | 'exit-code'
  /** The process was killed by a signal it did not get from us (e.g. kill -9 self, OOM). */
  | 'killed'
  | 'timeout'
  | 'aborted'

/**
 * How a process is to be started (see process.ts's spawnProcess): the spawn's fields, its
 * complete environment (ours, the options', the execution mark), its logs.
 */
export interface LaunchSpec extends Pick<ProcessEvidence, 'stdoutLog' | 'stderrLog'> {
  file: string
  args: string[]
  cwd: string
  env: Record<string, string>
  stdoutFd: number
  stderrFd: number
}

/** A started process: its pid (it leads its own process group) and how it ended. */
export interface Launched {
  pid: number | undefined
  exited: Promise<ChildExit>
}

/**
 * Starts a process: a spawn here, the group watchdog or the Python worker. Throws
 * (synchronously or not) only for values no process can receive.
 */
export type Launcher = (spec: LaunchSpec) => Launched | Promise<Launched>

export interface ChildExit {
  exitCode: number | null
  signal: string | null
  /** Set when the process could not be started (ENOENT, EACCES…). */
  error?: NodeJS.ErrnoException
  /** Its exit status cannot be known: what started it is gone (see process.ts's Termination). */
  lost?: string
  /** How to avoid that next time, when it is not the Python worker's (see report.ts). */
  lostFix?: string
}
