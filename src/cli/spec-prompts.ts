import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Readable, Writable } from 'node:stream'
import type { DagSource } from '../dag/load.js'
import { PipelineDAG } from '../dag/pipeline-dag.js'
import { PipetestError } from '../errors.js'
import type { ScriptExecutionSpec } from '../spec/script-execution-spec.js'
import { parseJobArg, showJobArg } from '../spec/job-args.js'
import { displayPath, specSetCommandLine } from '../text.js'
import { Prompter, type Verdict } from './prompter.js'
import { ENV_NAME, NAME, specSetWriting } from './spec-set.js'
import type { PipelineTestingSpecBuilder } from '../builder/index.js'

export interface InteractiveIO {
  /** Where answers come from. Default: `process.stdin`. */
  input?: Readable
  /** Where questions go. Default: `process.stdout`. */
  output?: Writable
  /** The DAG the node belongs to (its declared `script` decides which spec is edited). */
  dag?: DagSource
  /**
   * Whether a person is answering. Default: whether `input` is a TTY. Tests that drive the
   * prompts through PassThrough streams set it to true.
   */
  interactive?: boolean
  /**
   * The arguments that locate the project and DAG (`--dag`, `--root`…): without a terminal,
   * the advice is then the `spec set` command that writes the current spec, with them.
   */
  rerun?: string[]
}

const REMOVE = '-'

/**
 * Edits one node's spec by asking for each field with its current value as the default,
 * then validates and saves it once, at the end. Ctrl-C or the end of input before the last
 * answer rejects with PipetestError('PROMPT_CANCELLED') and writes nothing.
 */
export async function updateScriptSpecInteractive(
  builder: PipelineTestingSpecBuilder,
  node: string,
  io: InteractiveIO = {},
): Promise<ScriptExecutionSpec> {
  const input = io.input ?? process.stdin
  const output = io.output ?? process.stdout
  // Resolve first: an unknown node or a broken spec file fails at once, before any advice.
  const dag = io.dag ?? new PipelineDAG({ baseDir: builder.rootDir }).addNode(node)
  const resolution = builder.resolveNode(dag, node)
  const current = resolution.spec
  if (!(io.interactive ?? (input as { isTTY?: boolean }).isTTY === true)) {
    const command = io.rerun
      ? ` (this is the current spec; change what you need):\n  ${specSetWriting(node, current, io.rerun)}`
      : `: ${specSetCommandLine(node, { inputs: { NAME: 'PATH' }, outputs: { NAME: 'PATH' }, script: 'PATH' })}`
    throw new PipetestError(
      'NOT_A_TTY',
      'pipetest spec edit needs a terminal to prompt in, and standard input is not one',
      { node, hint: `Set the values without prompts instead${command}` },
    )
  }
  const prompter = new Prompter(input, output, `the spec of "${node}"`)
  try {
    prompter.say(
      `Editing the spec of "${node}" (script "${resolution.scriptName}", ${
        resolution.specFile
          ? displayPath(resolution.specFile, builder.rootDir)
          : 'no spec file yet: starting from defaults'
      }).`,
    )
    prompter.say(
      `Press Enter to keep the value in [brackets], type ${REMOVE} to remove an entry; Ctrl-C cancels without saving.`,
    )
    const edited: ScriptExecutionSpec = structuredClone(current)
    const scriptPath = await askScriptPath(
      prompter,
      builder.rootDir,
      current,
      resolution.scriptPath,
    )
    if (scriptPath !== undefined) edited.scriptPath = scriptPath
    edited.inputPaths = await askPaths(prompter, 'input', current.inputPaths)
    edited.outputPaths = await askPaths(prompter, 'output', current.outputPaths)
    edited.environVars = await askEntries(prompter, 'Environment variable', current.environVars, {
      keyPattern: ENV_NAME,
      parse: (value) => value,
      show: (value) => value,
    })
    edited.jobArgs = await askEntries(prompter, 'Job argument', current.jobArgs, {
      keyPattern: NAME,
      parse: parseJobArg,
      show: showJobArg,
    })
    const notes = await prompter.ask(`Notes${bracket(current.userNotes)}: `, (answer) =>
      ok(answer === '' ? current.userNotes : answer === REMOVE ? undefined : answer),
    )
    if (notes === undefined) delete edited.userNotes
    else edited.userNotes = notes

    const saved = builder.saveNodeSpec(resolution, edited)
    prompter.say(`Saved ${displayPath(saved.file, builder.rootDir)}`)
    return saved.spec
  } finally {
    prompter.close()
  }
}

/**
 * The script path as the user typed it, or undefined to keep the spec's own value (a path
 * found by search or declared in the DAG is not copied into the spec: it would go stale).
 */
async function askScriptPath(
  prompter: Prompter,
  rootDir: string,
  spec: ScriptExecutionSpec,
  found: string | undefined,
): Promise<string | undefined> {
  const shown = spec.scriptPath || (found ? displayPath(found, rootDir) : undefined)
  const required = !spec.command || spec.command.some((arg) => arg.includes('{script}'))
  return prompter.ask<string | undefined>(`Script path${bracket(shown)}: `, (answer) => {
    if (answer === '') {
      return shown !== undefined || !required
        ? ok(undefined)
        : fail(`a script path is required (relative to ${rootDir})`)
    }
    const path = resolve(rootDir, answer)
    if (!existsSync(path) || !statSync(path).isFile()) {
      return fail(`no file at ${path} (paths are relative to ${rootDir})`)
    }
    return ok(displayPath(path, rootDir))
  })
}

async function askPaths(
  prompter: Prompter,
  direction: 'input' | 'output',
  current: Record<string, string>,
): Promise<Record<string, string>> {
  const label = direction === 'input' ? 'Input' : 'Output'
  const result: Record<string, string> = {}
  for (const [name, path] of Object.entries(current)) {
    const answer = await prompter.ask<string | null>(
      `${label} "${name}" path${bracket(path.trim() === '' ? undefined : path)}: `,
      (text) => {
        if (text === REMOVE) return ok(null)
        if (text !== '') return ok(text)
        return path.trim() === ''
          ? fail(`a path is required (or ${REMOVE} to remove "${name}")`)
          : ok(path)
      },
    )
    if (answer !== null) result[name] = answer
  }
  for (;;) {
    const needOne = direction === 'output' && Object.keys(result).length === 0
    const entry = await prompter.ask<[string, string] | undefined>(
      needOne
        ? `Add an output (NAME=PATH; at least one is required): `
        : `Add ${direction === 'input' ? 'an input' : 'an output'} (NAME=PATH, Enter to finish): `,
      (text) => {
        if (text === '') return needOne ? fail('a spec needs at least one output') : ok(undefined)
        const parsed = parseEntry(text, NAME, 'NAME=PATH, e.g. data_input=data/raw')
        if (!parsed.ok) return parsed
        return parsed.value[1] === '' ? fail(`the path of "${parsed.value[0]}" is empty`) : parsed
      },
    )
    if (entry === undefined) return result
    result[entry[0]] = entry[1]
  }
}

interface EntryFormat<T> {
  keyPattern: RegExp
  parse: (value: string) => T
  show: (value: T) => string
}

async function askEntries<T>(
  prompter: Prompter,
  label: string,
  current: Record<string, T>,
  format: EntryFormat<T>,
): Promise<Record<string, T>> {
  const result: Record<string, T> = { ...current }
  const list = () =>
    Object.entries(result)
      .map(([key, value]) => `${key}=${format.show(value)}`)
      .join(', ') || 'none'
  prompter.say(`${label}s: ${list()}`)
  for (;;) {
    const change = await prompter.ask<{ key: string; value?: T } | undefined>(
      `${label} (KEY=VALUE to set, ${REMOVE}KEY to remove, Enter to finish): `,
      (text) => {
        if (text === '') return ok(undefined)
        if (text.startsWith(REMOVE)) {
          const key = text.slice(REMOVE.length)
          return key in result ? ok({ key }) : fail(`there is no ${label.toLowerCase()} "${key}"`)
        }
        const parsed = parseEntry(text, format.keyPattern, 'KEY=VALUE')
        return parsed.ok
          ? ok({ key: parsed.value[0], value: format.parse(parsed.value[1]) })
          : parsed
      },
    )
    if (change === undefined) return result
    if (change.value === undefined) delete result[change.key]
    else result[change.key] = change.value
    prompter.say(`  ${label}s: ${list()}`)
  }
}

function parseEntry(text: string, keyPattern: RegExp, expected: string): Verdict<[string, string]> {
  const at = text.indexOf('=')
  if (at <= 0) return fail(`expected ${expected}`)
  const key = text.slice(0, at).trim()
  if (!keyPattern.test(key)) return fail(`"${key}" is not a valid name (letters, digits and _)`)
  return ok([key, text.slice(at + 1).trim()])
}

function bracket(value: string | undefined): string {
  return value === undefined || value === '' ? '' : ` [${value}]`
}

function ok<T>(value: T): Verdict<T> {
  return { ok: true, value }
}

function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason }
}
