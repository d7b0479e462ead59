import type { Readable, Writable } from 'node:stream'
import { parseArgs } from 'node:util'
import { PipetestError } from '../errors.js'
import type { Colors } from './colors.js'

export type OutputStream = Writable & { isTTY?: boolean; columns?: number; rows?: number }

/** Where a command reads and writes; the real process streams, injectable for tests. */
export interface CliContext {
  stdout: OutputStream
  stderr: OutputStream
  stdin: Readable & { isTTY?: boolean }
  env: NodeJS.ProcessEnv
  cwd: string
  /** Colours for stdout and for stderr (each on only when that stream is a terminal). */
  out: Colors
  err: Colors
  noColor: boolean
}

export interface OptionDef {
  type: 'string' | 'boolean'
  multiple?: boolean
  short?: string
  /** Placeholder shown in help (`DIR`, `NAME=PATH`). */
  value?: string
  /**
   * A string option that may stand alone (`--report` or `--report DIR`): alone, its value is
   * `''` (the default). It takes the next argument only when the command's required
   * arguments remain, so `run --report pipeline.dag.json` still reads the DAG.
   */
  optionalValue?: boolean
  description: string
}

export interface PositionalDef {
  name: string
  required: boolean
  description: string
  /**
   * Where the value comes from when it is left out (`the "dag" of pipetest.config.json`): the
   * command checks it then; parsing counts it as wanted, so `run --report x.dag.json` still
   * reads x.dag.json as the DAG.
   */
  fallback?: string
  /**
   * What the argument looks like (a DAG file ends in `.json`): with a `fallback`, an option
   * with an optional value takes the next argument when it does not look like this one
   * (`run --changed origin/main` with the configured DAG).
   */
  looksLike?: RegExp
}

export type OptionValues = Record<string, string | boolean | string[] | boolean[] | undefined>

export interface ParsedArgs {
  values: OptionValues
  positionals: Record<string, string | undefined>
}

/** One `pipetest <command>`: its help text, its arguments and what it does. */
export interface CommandDef {
  /** As typed: `validate`, `spec set`. */
  name: string
  positionals: PositionalDef[]
  options: Record<string, OptionDef>
  examples: string[]
  /** Extra paragraphs printed after the options in `--help`. */
  notes?: string[]
  run(args: ParsedArgs, ctx: CliContext): Promise<number>
}

/** Exit codes: a failed check (1) and a mistyped command line (2) must be told apart in CI. */
export const EXIT = { ok: 0, failed: 1, usage: 2, sigint: 130, sigterm: 143 } as const

export function usageError(command: string, message: string): PipetestError {
  const invocation = command ? `pipetest ${command}` : 'pipetest'
  return new PipetestError('USAGE', message, { hint: `Run "${invocation} --help" for usage.` })
}

/**
 * Parses a command's arguments strictly. node:util's messages are rewritten into one line
 * naming the command, because "Unknown option '--fo'. To specify a positional argument…"
 * is longer than the mistake.
 */
export function parseCommandArgs(command: CommandDef, argv: string[]): ParsedArgs | 'help' {
  const options: Record<
    string,
    { type: 'string' | 'boolean'; multiple?: boolean; short?: string }
  > = { help: { type: 'boolean', short: 'h' } }
  for (const [name, { type, multiple = false, short }] of Object.entries(command.options)) {
    options[name] = { type, multiple, ...(short ? { short } : {}) }
  }
  const optional = takeOptionalValues(command, argv)
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({
      args: attachNegativeValues(optional.rest, command),
      options,
      allowPositionals: true,
      strict: true,
    })
  } catch (error) {
    throw usageError(command.name, describeParseError(error, command))
  }
  if (parsed.values.help === true) return 'help'

  const max = command.positionals.length
  if (parsed.positionals.length > max) {
    const extra = parsed.positionals.slice(max).map((p) => JSON.stringify(p))
    throw usageError(
      command.name,
      `Unexpected argument${extra.length > 1 ? 's' : ''} ${extra.join(' ')} for "pipetest ${command.name}"`,
    )
  }
  const positionals: Record<string, string | undefined> = {}
  command.positionals.forEach((def, i) => {
    const value = parsed.positionals[i]
    if (value === undefined && def.required && def.fallback === undefined) {
      throw usageError(
        command.name,
        `Missing <${def.name}> for "pipetest ${command.name}" (${def.description})`,
      )
    }
    positionals[def.name] = value
  })
  return { values: { ...(parsed.values as OptionValues), ...optional.values }, positionals }
}

/** Takes the options with an optional value out of `argv` (see OptionDef.optionalValue). */
function takeOptionalValues(
  command: CommandDef,
  argv: string[],
): { rest: string[]; values: Record<string, string> } {
  const values: Record<string, string> = {}
  const rest: string[] = []
  const required = command.positionals.filter((p) => p.required).length
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') {
      rest.push(...argv.slice(i))
      break
    }
    const match = /^--([^=]+)(?:=(.*))?$/s.exec(arg)
    const def = match ? command.options[match[1]!] : undefined
    if (!match || !def?.optionalValue) {
      rest.push(arg)
      continue
    }
    const name = match[1]!
    if (match[2] !== undefined) {
      values[name] = match[2]
      continue
    }
    const next = argv[i + 1]
    const others = [...rest, ...argv.slice(i + 2)]
    const missing = command.positionals[positionalCount(command, others)]
    const notThatArgument =
      missing?.fallback !== undefined &&
      missing.looksLike !== undefined &&
      next !== undefined &&
      !missing.looksLike.test(next)
    if (
      next !== undefined &&
      !next.startsWith('-') &&
      (positionalCount(command, others) >= required || notThatArgument)
    ) {
      values[name] = next
      i++
    } else {
      values[name] = ''
    }
  }
  return { rest, values }
}

/** Arguments that are not options nor the values of string options. */
function positionalCount(command: CommandDef, argv: string[]): number {
  let count = 0
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') return count + argv.length - i - 1
    if (!arg.startsWith('-') || arg === '-') {
      count++
      continue
    }
    const name = arg.replace(/^-+/, '')
    const def =
      command.options[name] ??
      Object.values(command.options).find((option) => option.short === name)
    if (def?.type === 'string' && !def.optionalValue && !arg.includes('=')) i++
  }
  return count
}

/**
 * `--timeout -5` is a mistyped value, not a missing one: node:util reads `-5` as an option
 * and would say "needs a value". Joined as `--timeout=-5`, the value reaches the option's own
 * check, which says what the value must be.
 */
function attachNegativeValues(argv: string[], command: CommandDef): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const next = argv[i + 1]
    if (arg === '--') return [...out, ...argv.slice(i)]
    const def = arg.startsWith('--') ? command.options[arg.slice(2)] : undefined
    if (def?.type === 'string' && next !== undefined && /^-\.?\d/.test(next)) {
      out.push(`${arg}=${next}`)
      i++
    } else out.push(arg)
  }
  return out
}

function describeParseError(error: unknown, command: CommandDef): string {
  const code = (error as { code?: string }).code
  const message = error instanceof Error ? error.message : String(error)
  const flag = /'(-{1,2}[^' ]+)/.exec(message)?.[1] ?? ''
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    return `Unknown option "${flag}" for "pipetest ${command.name}"`
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const name = flag.replace(/^-+/, '')
    const def = command.options[name]
    return def?.type === 'string'
      ? `Option --${name} needs a value: --${name} ${def.value ?? 'VALUE'}`
      : `Option --${name} takes no value`
  }
  return message
}

/** `--help` text: what it does (`summary`, from main's list), usage, arguments, options, examples. */
export function renderHelp(command: CommandDef, summary: string, c: Colors): string {
  const args = command.positionals
    .map((p) => (p.required && p.fallback === undefined ? `<${p.name}>` : `[${p.name}]`))
    .join(' ')
  const lines = [
    `${c.bold(`pipetest ${command.name}`)} — ${summary}`,
    '',
    c.bold('Usage'),
    `  pipetest ${command.name}${args ? ` ${args}` : ''} [options]`,
  ]
  if (command.positionals.length > 0) {
    lines.push('', c.bold('Arguments'))
    const width = Math.max(...command.positionals.map((p) => p.name.length + 2))
    for (const p of command.positionals) {
      const fallback = p.fallback === undefined ? '' : ` (default: ${p.fallback})`
      lines.push(`  ${`<${p.name}>`.padEnd(width)}  ${p.description}${fallback}`)
    }
  }
  const rows = Object.entries(command.options).map(([name, def]) => {
    const value = def.value ? (def.optionalValue ? ` [${def.value}]` : ` ${def.value}`) : ''
    const flag = `${def.short ? `-${def.short}, ` : ''}--${name}${value}`
    const repeat = def.multiple ? ' (repeatable)' : ''
    return [flag, `${def.description}${repeat}`] as const
  })
  rows.push(['-h, --help', 'Show this help'])
  const width = Math.max(...rows.map(([flag]) => flag.length))
  lines.push('', c.bold('Options'))
  for (const [flag, text] of rows) lines.push(`  ${flag.padEnd(width)}  ${text}`)
  for (const note of command.notes ?? []) lines.push('', note)
  lines.push('', c.bold(command.examples.length > 1 ? 'Examples' : 'Example'))
  for (const example of command.examples) lines.push(`  ${example}`)
  return `${lines.join('\n')}\n`
}

export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name]
  return typeof value === 'string' ? value : undefined
}

/** A `--timeout`-style option: a number of seconds > 0, or a usage error naming it. */
export function secondsOption(
  values: OptionValues,
  name: string,
  command: string,
): number | undefined {
  const positive = (value: string) =>
    value.trim() !== '' && Number.isFinite(Number(value)) && Number(value) > 0
  return numberOption(values, name, command, positive, 'a number of seconds > 0')
}

/** A `--concurrency`-style option: a whole number ≥ 1, or a usage error naming it. */
export function countOption(
  values: OptionValues,
  name: string,
  command: string,
): number | undefined {
  const whole = (value: string) => /^\d+$/.test(value.trim()) && Number(value) >= 1
  return numberOption(values, name, command, whole, 'a whole number ≥ 1')
}

function numberOption(
  values: OptionValues,
  name: string,
  command: string,
  valid: (value: string) => boolean,
  what: string,
): number | undefined {
  const value = stringOption(values, name)
  if (value === undefined) return undefined
  if (!valid(value)) throw usageError(command, `--${name} ${JSON.stringify(value)} must be ${what}`)
  return Number(value)
}

export function listOption(values: OptionValues, name: string): string[] {
  const value = values[name]
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
}

export function flag(values: OptionValues, name: string): boolean {
  return values[name] === true
}
