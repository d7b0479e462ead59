#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { fileSystemError, isPipetestError } from '../errors.js'
import { closest } from '../text.js'
import { colorsFor } from './colors.js'
import {
  EXIT,
  parseCommandArgs,
  renderHelp,
  usageError,
  type CliContext,
  type CommandDef,
} from './command.js'

/**
 * Every command with its one-line summary, loaded only when it runs or shows its own help:
 * each imports the engine, the builder and zod, and `pipetest --help` should cost little more
 * than starting Node.
 */
interface CommandEntry {
  summary: string
  load(): Promise<CommandDef>
}

const commands: Record<string, CommandEntry> = {
  init: {
    summary:
      "Create a spec for every DAG node that has none, from its script's code (never overwrites)",
    load: async () => (await import('./init.js')).initCommand,
  },
  validate: {
    summary: 'Check specs, ports and scripts without running them; list every problem with its fix',
    load: async () => (await import('./validate.js')).validateCommand,
  },
  contract: {
    summary: 'Show what a script reads and writes, read from its code (never run)',
    load: async () => (await import('./contract.js')).contractCommand,
  },
  run: {
    summary: 'Run the pipeline outside any test framework, with a live view and a summary',
    load: async () => (await import('./run.js')).runCommand,
  },
  record: {
    summary: 'Run the pipeline and write the data contracts it observes into the specs',
    load: async () => (await import('./record.js')).recordCommand,
  },
  report: {
    summary: 'Write the HTML report (and a Markdown summary) of a run folder',
    load: async () => (await import('./report.js')).reportCommand,
  },
  graph: {
    summary: 'Print the DAG as a Mermaid flowchart, optionally coloured by the last run',
    load: async () => (await import('./graph.js')).graphCommand,
  },
  cache: {
    summary: 'Show (status) or empty (clean) the execution cache of unchanged scripts',
    load: async () => (await import('./cache.js')).cacheCommand,
  },
  clean: {
    summary: 'Empty the execution cache and remove all but the newest run folders',
    load: async () => (await import('./cache.js')).cleanCommand,
  },
}
const specCommands: Record<string, CommandEntry> = {
  list: {
    summary: 'List the saved specs, or with --dag which spec each node uses and if it is complete',
    load: async () => (await import('./spec-list.js')).specListCommand,
  },
  show: {
    summary: 'Show the spec of a node or script, and how it was found',
    load: async () => (await import('./spec-show.js')).specShowCommand,
  },
  set: {
    summary: "Change a node's spec from the command line (validated, saved atomically)",
    load: async () => (await import('./spec-set.js')).specSetCommand,
  },
  edit: {
    summary: "Edit a node's spec interactively: prompts with the current values as defaults",
    load: async () => (await import('./spec-edit.js')).specEditCommand,
  },
}

/**
 * Runs `pipetest <argv…>` and resolves to the exit code: 0 success, 1 a failed check or a
 * user mistake (bad DAG, unknown node…), 2 a mistyped command line, 130/143 interrupted.
 */
async function main(argv: string[], ctx: CliContext): Promise<number> {
  try {
    return await dispatch(argv, ctx)
  } catch (error) {
    return reportError(error, ctx)
  }
}

async function dispatch(argv: string[], ctx: CliContext): Promise<number> {
  const [first, ...rest] = argv
  if (first === undefined) {
    ctx.stderr.write(topLevelHelp(ctx))
    throw usageError('', 'Missing command')
  }
  if (first === '--help' || first === '-h') {
    ctx.stdout.write(topLevelHelp(ctx))
    return EXIT.ok
  }
  if (first === '--version' || first === '-v') {
    ctx.stdout.write(`${packageVersion()}\n`)
    return EXIT.ok
  }
  if (first === 'help') return dispatch([...rest, '--help'], ctx)
  if (first.startsWith('-')) throw usageError('', `Unknown option "${first}"`)
  if (first === 'spec') return dispatchSpec(rest, ctx)
  const command = commands[first]
  if (!command) throw unknownCommand(first, [...Object.keys(commands), 'spec'], '')
  return runCommandDef(command, rest, ctx)
}

async function dispatchSpec(argv: string[], ctx: CliContext): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === '--help' || sub === '-h') {
    ctx.stdout.write(specHelp(ctx))
    return EXIT.ok
  }
  if (sub === undefined) {
    ctx.stderr.write(specHelp(ctx))
    throw usageError('spec', 'Missing spec command (list, show, set or edit)')
  }
  const command = specCommands[sub]
  if (!command) throw unknownCommand(sub, Object.keys(specCommands), 'spec')
  return runCommandDef(command, rest, ctx)
}

async function runCommandDef(entry: CommandEntry, argv: string[], ctx: CliContext) {
  const command = await entry.load()
  const args = parseCommandArgs(command, argv)
  if (args === 'help') {
    ctx.stdout.write(renderHelp(command, entry.summary, ctx.out))
    return EXIT.ok
  }
  return command.run(args, ctx)
}

function unknownCommand(name: string, known: string[], group: string) {
  const suggestion = closest(name, known)
  const prefix = group ? `${group} ` : ''
  return usageError(
    group,
    `Unknown command "${prefix}${name}"${suggestion ? ` (did you mean "${prefix}${suggestion}"?)` : ''}`,
  )
}

function reportError(thrown: unknown, ctx: CliContext): number {
  const c = ctx.err
  // A folder that cannot be written or a full disk is the machine's problem, not our bug.
  const error = fileSystemError(thrown) ?? thrown
  if (isPipetestError(error)) {
    ctx.stderr.write(`${c.red(c.bold('error:'))} ${error.shortMessage}\n`)
    if (error.hint) ctx.stderr.write(`${error.hint}\n`)
    return error.code === 'USAGE' ? EXIT.usage : EXIT.failed
  }
  const err = error instanceof Error ? error : new Error(String(error))
  ctx.stderr.write(
    `${c.red(c.bold('error:'))} ${err.message}\n` +
      `This is a bug in pipetest, not a problem with your pipeline. Please report it with this stack trace:\n` +
      `${c.dim(err.stack ?? String(error))}\n`,
  )
  return EXIT.failed
}

function topLevelHelp(ctx: CliContext): string {
  const c = ctx.out
  const rows: Array<[string, string]> = [
    ...Object.entries(commands).map(([name, cmd]) => [name, cmd.summary] as [string, string]),
    ...Object.entries(specCommands).map(
      ([name, cmd]) => [`spec ${name}`, cmd.summary] as [string, string],
    ),
  ]
  const order = [
    'init',
    'validate',
    'spec list',
    'spec show',
    'spec set',
    'spec edit',
    'contract',
    'run',
    'record',
    'report',
    'graph',
    'cache',
    'clean',
  ]
  rows.sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]))
  const width = Math.max(...rows.map(([name]) => name.length))
  return [
    `${c.bold('pipetest')} — test data/ML pipelines by running their real scripts`,
    '',
    c.bold('Usage'),
    '  pipetest <command> [options]',
    '',
    c.bold('Commands'),
    ...rows.map(([name, summary]) => `  ${name.padEnd(width)}  ${summary}`),
    '',
    c.bold('Global options'),
    '  -h, --help     Show help (also: pipetest <command> --help)',
    '  -v, --version  Print the version',
    '  --no-color     No colours (also off when output is not a terminal or NO_COLOR is set)',
    '',
    c.bold('Getting started'),
    '  pipetest init pipeline.dag.json                        # a spec per node, to fill in',
    '  pipetest validate pipeline.dag.json                    # what is missing, with the fix',
    '  pipetest spec edit Preprocess --dag pipeline.dag.json  # fill a spec in, prompted',
    '  pipetest run pipeline.dag.json                         # scripts, edges and the flow',
    '  pipetest run pipeline.dag.json --report                # and reports/pipetest-report.html',
    '  pipetest graph pipeline.dag.json --status              # the DAG as Mermaid, coloured',
    '',
  ].join('\n')
}

function specHelp(ctx: CliContext): string {
  const c = ctx.out
  const rows = Object.entries(specCommands)
  const width = Math.max(...rows.map(([name]) => name.length))
  return [
    `${c.bold('pipetest spec')} — list, show and change the per-script specs under <test-data-dir>/.specs`,
    '',
    c.bold('Commands'),
    ...rows.map(([name, cmd]) => `  ${name.padEnd(width)}  ${cmd.summary}`),
    '',
    'Run "pipetest spec <command> --help" for its options.',
    '',
  ].join('\n')
}

/** The version of the installed package, found by walking up from this file to its package.json. */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const file = join(dir, 'package.json')
    if (existsSync(file)) {
      const json = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string }
      if (json.name === 'pipetest' && json.version) return json.version
    }
    const parent = dirname(dir)
    if (parent === dir) return 'unknown'
    dir = parent
  }
}

function processContext(argv: string[]): { argv: string[]; ctx: CliContext } {
  // --no-color is global: accepted anywhere before a `--`.
  const end = argv.indexOf('--')
  const head = end === -1 ? argv : argv.slice(0, end)
  const noColor = head.includes('--no-color')
  const rest = [
    ...head.filter((arg) => arg !== '--no-color'),
    ...(end === -1 ? [] : argv.slice(end)),
  ]
  const { stdout, stderr, env } = process
  return {
    argv: rest,
    ctx: {
      stdout,
      stderr,
      // Opened when a prompt reads it (~3 ms otherwise, before `pipetest run` starts Python).
      get stdin() {
        return process.stdin
      },
      env,
      cwd: process.cwd(),
      out: colorsFor(stdout, env, noColor),
      err: colorsFor(stderr, env, noColor),
      noColor,
    },
  }
}

// A reader that goes away (`pipetest run | head`) is not a failure of ours: stop writing to it
// and let the command finish, so its scripts end and its run is closed and recorded as usual.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error
  })
}
const { argv, ctx } = processContext(process.argv.slice(2))
void main(argv, ctx).then((code) => {
  process.exitCode = code
})
