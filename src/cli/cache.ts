import { ExecutionCache, resolveCacheSettings, type CacheStatus } from '../cache/index.js'
import { PipetestError } from '../errors.js'
import { formatBytes } from '../engine/execution-result.js'
import { DEFAULT_KEEP_RUNS, pruneRuns, runsDirOf } from '../engine/workspace.js'
import { displayPath } from '../text.js'
import { count } from './text.js'
import { EXIT, stringOption, type CliContext, type CommandDef } from './command.js'
import { openProject, type Project } from './project.js'
import { projectOptions } from './project-options.js'

const CACHE_NOTES =
  'The execution cache keeps the outputs and logs of every execution that passed, by a key\n' +
  "of what determines it: the runner and interpreter build, the script and the project's\n" +
  'modules it imports, the spec (environment, job arguments, command, outputs), the content of\n' +
  "its inputs (or its upstream execution's key), the files and variables declared in the\n" +
  'spec\'s "cache" field, and the pipetest version. An execution with a stored key is restored,\n' +
  'not run. It lives in <testDataDir>/.pipetest/cache unless the project config says\n' +
  '"cache": {"dir": "…", "maxSize": "2GB"}; the least recently used entries go first when it\n' +
  'outgrows maxSize (default 1 GB). PIPETEST_CACHE=0, "cache": false or run --no-cache turn it off.'

export const cacheCommand: CommandDef = {
  name: 'cache',
  positionals: [
    { name: 'action', required: true, description: 'status (what it holds) or clean (empty it)' },
  ],
  options: { ...projectOptions },
  notes: [CACHE_NOTES],
  examples: ['pipetest cache status', 'pipetest cache clean'],
  run({ values, positionals }, ctx) {
    const project = openProject(values, ctx)
    const cache = cacheOf(project)
    const action = positionals.action!
    if (action === 'status') {
      ctx.stdout.write(`${renderStatus(cache.status(), ctx)}\n`)
      return Promise.resolve(EXIT.ok)
    }
    if (action === 'clean') {
      const before = cache.clean()
      ctx.stdout.write(`${cleanedLine(before, ctx)}\n`)
      return Promise.resolve(EXIT.ok)
    }
    throw new PipetestError('USAGE', `Unknown cache action ${JSON.stringify(action)}`, {
      hint: 'Use "pipetest cache status" or "pipetest cache clean".',
    })
  },
}

export const cleanCommand: CommandDef = {
  name: 'clean',
  positionals: [],
  options: {
    keep: {
      type: 'string',
      value: 'N',
      description: `Run folders to keep, newest first (default ${DEFAULT_KEEP_RUNS}; 0 keeps none)`,
    },
    ...projectOptions,
  },
  notes: [
    'Removes what pipetest keeps under the test data folder: empties the execution cache and\n' +
      'removes all but the newest run folders (.pipetest/runs/<run>). Only folders carrying\n' +
      "pipetest's marker are removed, and never a run that is still going.",
  ],
  examples: ['pipetest clean', 'pipetest clean --keep 0'],
  async run({ values }, ctx) {
    const project = openProject(values, ctx)
    const keep = keepOf(stringOption(values, 'keep'))
    const before = cacheOf(project).clean()
    const removed = await pruneRuns(runsDirOf(project.builder.testDataDir), keep)
    ctx.stdout.write(
      `${cleanedLine(before, ctx)}\nRemoved ${count(removed.length, 'run folder')} (kept the newest ${keep}).\n`,
    )
    return EXIT.ok
  },
}

function cacheOf(project: Project): ExecutionCache {
  const settings = resolveCacheSettings(
    project.config.cache,
    project.builder.testDataDir,
    // Status and clean work on the folder whether or not runs use it.
    {},
  )
  return new ExecutionCache(settings.dir, settings.maxBytes)
}

function renderStatus(status: CacheStatus, ctx: CliContext): string {
  const lines = [
    `Execution cache ${displayPath(status.dir, ctx.cwd)}`,
    `  ${count(status.entries, 'execution')}, ${formatBytes(status.bytes)} of ${formatBytes(status.maxBytes)} (${count(status.blobs, 'file')} stored once each)`,
  ]
  if (status.oldestUse !== undefined) {
    lines.push(`  used ${status.oldestUse} (least recently) … ${status.newestUse} (most recently)`)
  }
  if (ctx.env.PIPETEST_CACHE?.trim().match(/^(0|false|off|no)$/i)) {
    lines.push(ctx.out.yellow('  PIPETEST_CACHE turns it off for runs in this environment.'))
  }
  return lines.join('\n')
}

function cleanedLine(before: CacheStatus, ctx: CliContext): string {
  return `Emptied the execution cache ${displayPath(before.dir, ctx.cwd)} (${count(before.entries, 'execution')}, ${formatBytes(before.bytes)}).`
}

function keepOf(value: string | undefined): number {
  if (value === undefined) return DEFAULT_KEEP_RUNS
  const keep = Number(value)
  if (!Number.isInteger(keep) || keep < 0) {
    throw new PipetestError(
      'USAGE',
      `Option --keep needs a whole number, got ${JSON.stringify(value)}`,
      {
        field: '--keep',
        hint: 'Pass how many run folders to keep, e.g. --keep 3 (0 removes every finished run).',
      },
    )
  }
  return keep
}
