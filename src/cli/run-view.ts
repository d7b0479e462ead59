import type { ExecutionPurpose, ExecutionResult, PipelineEvent } from '../engine/index.js'
import type { Outcome, TestStatus } from '../engine/index.js'
import { formatDuration } from '../text.js'
import { toneOf, type Colors } from './colors.js'
import type { OutputStream } from './command.js'
import { firstLine } from './text.js'

/**
 * The progress of `pipetest run`. On a terminal: one line per node (status, name, elapsed
 * time, what it is doing or why it failed), redrawn in place at most every REDRAW_MS. In a
 * log (CI, a pipe): append-only lines, one when an execution starts and one when it ends,
 * so a hanging script is visible and nothing depends on cursor movement.
 */

const REDRAW_MS = 100
const SPINNER = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏'
const ESC = '\u001b['
const SYMBOLS = { pending: '·', passed: '✓', failed: '✗', blocked: '⊘', skipped: '○' }

interface Execution {
  purpose?: ExecutionPurpose
  status: 'running' | TestStatus
  outcome?: Outcome
  message?: string
  /** Restored from the execution cache: the run that executed the script. */
  cachedFrom?: string
}

interface NodeState {
  /** Not selected, run only because a selected node needs its outputs (`--only`, `--from`). */
  setup: boolean
  executions: Map<string, Execution>
  startedAt?: number
  endedAt?: number
  blockedBy?: string
}

type NodeStatus = 'pending' | 'running' | TestStatus

export interface RunViewOptions {
  stream: OutputStream
  colors: Colors
  /** The selected nodes, in display order (topological). */
  nodes: string[]
  /**
   * Every node of the DAG in display order: one that is not selected but runs anyway (an
   * upstream node whose outputs a selected node reads) is shown as setup where it falls.
   */
  order?: string[]
  /** Redraw in place (a terminal) or append lines (a log). */
  live: boolean
  now?: () => number
}

export class RunView {
  readonly #stream: OutputStream
  readonly #c: Colors
  #nodes: string[]
  readonly #order: string[]
  readonly #live: boolean
  readonly #now: () => number
  readonly #states = new Map<string, NodeState>()
  readonly #startedAt: number
  #timer: ReturnType<typeof setInterval> | undefined
  #drawn = 0
  #tick = 0
  #note: string | undefined
  /** Something changed since the last frame (a running node's clock always does). */
  #dirty = true
  readonly #restoreCursor = () => this.#stream.write(`${ESC}?25h`)

  constructor(options: RunViewOptions) {
    this.#stream = options.stream
    this.#c = options.colors
    this.#nodes = options.nodes
    this.#order = options.order ?? options.nodes
    this.#live = options.live
    this.#now = options.now ?? Date.now
    this.#startedAt = this.#now()
    for (const node of this.#nodes) this.#states.set(node, { setup: false, executions: new Map() })
  }

  start(): void {
    if (!this.#live) return
    // The cursor is hidden while redrawing; make sure it comes back however the process ends.
    this.#stream.write(`${ESC}?25l`)
    process.once('exit', this.#restoreCursor)
    this.#draw()
    this.#timer = setInterval(() => {
      if (this.#dirty || this.running().length > 0) this.#draw()
    }, REDRAW_MS)
    this.#timer.unref()
  }

  /** Draws the final state and leaves it on screen (a terminal) — the record of the run. */
  stop(): void {
    if (!this.#live) return
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = undefined
    this.#draw()
    this.#restoreCursor()
    process.removeListener('exit', this.#restoreCursor)
  }

  /** A status line under the nodes (a terminal) or one more line (a log). */
  note(text: string): void {
    this.#note = text
    this.#dirty = true
    if (!this.#live) this.#stream.write(`${text}\n`)
  }

  /** Nodes with an execution in progress, in display order. */
  running(): string[] {
    return this.#nodes.filter((node) => this.#status(node) === 'running')
  }

  handle(event: PipelineEvent): void {
    const state = this.#stateOf(event.node)
    if (!state) return
    const now = this.#now()
    if (event.type === 'started') {
      state.executions.set(event.executionId, { purpose: event.purpose, status: 'running' })
      state.startedAt ??= now
    } else if (event.type === 'finished') {
      const { result } = event
      const known = state.executions.get(event.executionId)
      state.executions.set(event.executionId, {
        ...(known?.purpose ? { purpose: known.purpose } : {}),
        status: result.status,
        outcome: result.outcome,
        message: result.message,
        ...(result.cached ? { cachedFrom: result.cached.runId } : {}),
      })
      state.endedAt = now
    } else {
      state.executions.set(event.executionId, { status: 'blocked' })
      state.blockedBy ??= event.blockedBy
    }
    this.#dirty = true
    if (!this.#live) this.#stream.write(`${this.#logLine(event)}\n`)
  }

  #stateOf(node: string): NodeState | undefined {
    let state = this.#states.get(node)
    if (!state && this.#order.includes(node)) {
      state = { setup: true, executions: new Map() }
      this.#states.set(node, state)
      this.#nodes = this.#order.filter((name) => this.#states.has(name))
    }
    return state
  }

  /** The label after a node's name in a log line: why it runs. */
  #label(node: string, purpose: ExecutionPurpose | undefined): string {
    if (this.#states.get(node)?.setup) return 'setup'
    return purpose ?? ''
  }

  #status(node: string): NodeStatus {
    const executions = [...(this.#states.get(node)?.executions.values() ?? [])]
    if (executions.length === 0) return 'pending'
    const has = (status: Execution['status']) => executions.some((e) => e.status === status)
    if (has('running')) return 'running'
    if (has('failed')) return 'failed'
    if (has('blocked')) return 'blocked'
    if (has('passed')) return 'passed'
    return 'skipped'
  }

  #symbol(status: NodeStatus): string {
    if (status === 'running') return this.#c.cyan(SPINNER[this.#tick % SPINNER.length]!)
    return toneOf(this.#c, status)(SYMBOLS[status])
  }

  #logLine(event: PipelineEvent): string {
    const c = this.#c
    if (event.type === 'started') {
      return `${c.cyan('▶')} ${event.node} ${c.dim(`(${this.#label(event.node, event.purpose)}) started`)}`
    }
    if (event.type === 'blocked') {
      return `${this.#symbol('blocked')} ${event.node} ${c.yellow(`blocked by ${event.blockedBy}`)}`
    }
    const { result } = event
    const label = this.#label(
      event.node,
      this.#states.get(event.node)?.executions.get(event.executionId)?.purpose,
    )
    const head = `${this.#symbol(result.status)} ${event.node}${label ? ` ${c.dim(`(${label})`)}` : ''}`
    const time = c.dim(formatDuration(result.durationMs))
    const cached = result.cached ? ` ${c.dim(`cached (from run ${result.cached.runId})`)}` : ''
    const launch = result.launch ? ` ${c.dim(launchText(result.launch))}` : ''
    if (result.status === 'passed') return `${head} ${time}${launch}${cached}`
    return `${head} ${time}${launch} ${c.red(`${result.outcome}: ${firstLine(result.message)}`)}`
  }

  #draw(): void {
    this.#dirty = false
    this.#tick++
    const lines = this.#frame()
    let out = this.#drawn > 0 ? `${ESC}${this.#drawn}A\r` : ''
    for (const line of lines) out += `${ESC}2K${line}\n`
    if (lines.length < this.#drawn) out += `${ESC}J`
    this.#drawn = lines.length
    this.#stream.write(out)
  }

  #frame(): string[] {
    const c = this.#c
    const columns = this.#stream.columns ?? 80
    const rows = this.#stream.rows ?? 24
    const statuses = new Map(this.#nodes.map((node) => [node, this.#status(node)]))
    // A frame taller than the screen cannot be redrawn in place: show what matters most.
    const room = Math.max(3, rows - 3)
    const shown =
      this.#nodes.length <= room
        ? this.#nodes
        : this.#nodes
            .filter((node) => ['running', 'failed'].includes(statuses.get(node)!))
            .slice(0, room - 1)
    const width = Math.min(
      Math.max(4, ...shown.map((node) => node.length)),
      Math.floor(columns / 2),
    )
    const lines = shown.map((node) => {
      const status = statuses.get(node)!
      const name = truncate(node, width).padEnd(width)
      const time = this.#elapsed(node).padStart(8)
      const detail = truncate(this.#detail(node, status), columns - width - 15)
      const tone = status === 'passed' ? c.dim : toneOf(c, status)
      return `${this.#symbol(status)} ${name}  ${c.dim(time)}  ${tone(detail)}`
    })
    const count = (status: NodeStatus) => [...statuses.values()].filter((s) => s === status).length
    const tally = [
      `${count('passed')} passed`,
      count('failed') > 0 ? c.red(`${count('failed')} failed`) : undefined,
      count('blocked') > 0 ? c.yellow(`${count('blocked')} blocked`) : undefined,
      `${count('running')} running`,
      `${count('pending')} pending`,
    ].filter((part) => part !== undefined)
    const hidden = this.#nodes.length - shown.length
    lines.push(
      c.dim(
        `${hidden > 0 ? `${hidden} more nodes not shown · ` : ''}${tally.join(' · ')} · ${formatDuration(this.#now() - this.#startedAt)}`,
      ),
    )
    if (this.#note) lines.push(this.#note)
    return lines
  }

  #elapsed(node: string): string {
    const state = this.#states.get(node)!
    if (state.startedAt === undefined) return ''
    const running = this.#status(node) === 'running'
    return formatDuration(
      (running ? this.#now() : (state.endedAt ?? this.#now())) - state.startedAt,
    )
  }

  #detail(node: string, status: NodeStatus): string {
    const state = this.#states.get(node)!
    const executions = [...state.executions.values()]
    if (status === 'running') {
      const purposes = executions
        .filter((e) => e.status === 'running')
        .map((e) => this.#label(node, e.purpose))
      return `running ${[...new Set(purposes)].join(', ')}`
    }
    if (status === 'failed') {
      const failed = executions.find((e) => e.status === 'failed')!
      return `${failed.outcome}: ${firstLine(failed.message ?? '')}`
    }
    if (status === 'blocked') return `blocked by ${state.blockedBy ?? 'an upstream failure'}`
    const cached = executions.length > 0 && executions.every((e) => e.cachedFrom !== undefined)
    return [state.setup ? 'setup' : '', cached ? 'cached' : ''].filter(Boolean).join(', ')
  }
}

function truncate(text: string, width: number): string {
  if (width <= 1) return ''
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`
}

/** How a Python execution started: forked from the preloading worker, or fresh and why. */
function launchText(launch: NonNullable<ExecutionResult['launch']>): string {
  if (launch.mode === 'worker') return 'forked'
  return launch.reason ? `fresh interpreter (${launch.reason})` : 'fresh interpreter'
}
