import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseJobArg, showJobArg } from '../spec/index.js'
import type { NodeResolution } from '../builder/index.js'
import { showName } from '../dag/node-name.js'
import { PipetestError } from '../errors.js'
import { runnerKinds, type RunnerKind, type ScriptExecutionSpec } from '../spec/index.js'
import {
  EXIT,
  flag,
  listOption,
  stringOption,
  secondsOption,
  usageError,
  type CliContext,
  type CommandDef,
  type OptionValues,
} from './command.js'
import { knownDag, openProject, type Project } from './project.js'
import { projectOptions } from './project-options.js'
import { renderSpec } from './spec-show.js'
import { closest, displayPath, specSetCommandLine, type SpecChange } from '../text.js'

const COMMAND = 'spec set'
/** What a port or job argument may be called, and an environment variable. */
export const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** Splits `NAME=VALUE`, rejecting a missing `=`, a bad name or (for paths) an empty value. */
function parsePairs(
  values: string[],
  option: string,
  names: RegExp,
  allowEmpty: boolean,
): Record<string, string> {
  const result: Record<string, string> = {}
  for (const text of values) {
    const at = text.indexOf('=')
    const key = at === -1 ? '' : text.slice(0, at)
    const value = at === -1 ? '' : text.slice(at + 1)
    const example = option === 'env' || option === 'arg' ? 'KEY=VALUE' : 'NAME=PATH'
    if (at <= 0) {
      throw usageError(COMMAND, `--${option} ${JSON.stringify(text)} is not ${example}`)
    }
    if (!names.test(key)) {
      throw usageError(
        COMMAND,
        `--${option} ${JSON.stringify(text)}: "${key}" is not a valid name (letters, digits, _${option === 'env' ? '' : ', . and -'}; not starting with a digit)`,
      )
    }
    if (!allowEmpty && value.trim() === '') {
      throw usageError(COMMAND, `--${option} ${JSON.stringify(text)}: the path is empty`)
    }
    result[key] = value
  }
  return result
}

/** The spec fields the options set; only the options given appear in the result. */
function updatesFrom(values: OptionValues, rootDir: string): Partial<ScriptExecutionSpec> {
  const updates: Partial<ScriptExecutionSpec> = {}
  const inputs = listOption(values, 'input')
  const outputs = listOption(values, 'output')
  const env = listOption(values, 'env')
  const args = listOption(values, 'arg')
  if (inputs.length > 0) updates.inputPaths = parsePairs(inputs, 'input', NAME, false)
  if (outputs.length > 0) updates.outputPaths = parsePairs(outputs, 'output', NAME, false)
  if (env.length > 0) updates.environVars = parsePairs(env, 'env', ENV_NAME, true)
  if (args.length > 0) {
    const raw = parsePairs(args, 'arg', NAME, true)
    // Same typing as `spec edit`: JSON when it parses (3, true, [1,2]), else the string.
    updates.jobArgs = Object.fromEntries(
      Object.entries(raw).map(([key, value]) => [key, parseJobArg(value)]),
    )
  }
  const script = stringOption(values, 'script')
  if (script !== undefined) {
    const path = resolve(rootDir, script)
    if (!existsSync(path) || !statSync(path).isFile()) {
      throw new PipetestError('SPEC_INVALID', `--script ${script}: no file at ${path}`, {
        field: 'script_path',
        hint: `Script paths are relative to the project root (${rootDir}); check the path or pass --root.`,
      })
    }
    updates.scriptPath = script
  }
  const runner = stringOption(values, 'runner')
  if (runner !== undefined) {
    if (!(runnerKinds as readonly string[]).includes(runner)) {
      throw usageError(
        COMMAND,
        `--runner ${JSON.stringify(runner)} is not one of ${runnerKinds.join(', ')}`,
      )
    }
    updates.runner = runner as RunnerKind
  }
  const timeoutSeconds = secondsOption(values, 'timeout', COMMAND)
  if (timeoutSeconds !== undefined) updates.timeoutSeconds = timeoutSeconds
  const notes = stringOption(values, 'notes')
  if (notes !== undefined) updates.userNotes = notes
  // The script's own interpreter: saved, so every later run and test uses it.
  const python = stringOption(values, 'python')
  if (python !== undefined) updates.python = python
  return updates
}

/**
 * The `spec set` command that writes exactly `spec` (with `--replace`, so entries not listed
 * are dropped), one option per line: what `spec edit` prints when there is no terminal.
 */
export function specSetWriting(node: string, spec: ScriptExecutionSpec, context: string[]): string {
  const change: SpecChange = {
    inputs: spec.inputPaths,
    outputs: spec.outputPaths,
    env: spec.environVars,
    args: Object.fromEntries(
      Object.entries(spec.jobArgs).map(([key, value]) => [key, showJobArg(value)]),
    ),
  }
  if (spec.scriptPath !== undefined) change.script = spec.scriptPath
  if (spec.runner !== undefined) change.runner = spec.runner
  if (spec.timeoutSeconds !== undefined) change.timeoutSeconds = spec.timeoutSeconds
  if (spec.python !== undefined) change.python = spec.python
  if (spec.userNotes !== undefined) change.notes = spec.userNotes
  return specSetCommandLine(node, change, { context, replace: true, multiline: true })
}

/** A name only guessed (fuzzy) without a DAG: refused, `spec set` and `spec edit` alike. */
export function guessedName(node: string, found: NodeResolution, ctx: CliContext): PipetestError {
  return new PipetestError(
    'UNKNOWN_NODE',
    `No spec for "${showName(node)}" (did you mean "${found.fileStepName || found.scriptName}", whose spec is ${displayPath(found.specFile!, ctx.cwd)}?)`,
    {
      node,
      hint: `Nothing was saved. Use the exact node or script name, or pass --dag FILE to resolve "${showName(node)}" in its DAG; to start a new spec for "${showName(node)}", add --new.`,
    },
  )
}

/** A name with no spec, without a DAG and without `--new`: refused as a likely typo. */
export function noSpec(node: string, builder: Project['builder'], ctx: CliContext): PipetestError {
  const saved = builder.listSavedSpecs()
  const suggestion = closest(node, saved)
  return new PipetestError(
    'SPEC_NOT_FOUND',
    `No spec for "${showName(node)}" in ${displayPath(builder.specsDir, ctx.cwd)}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
    {
      node,
      hint: `Nothing was saved. To create a new spec for "${showName(node)}", add --new (or pass --dag FILE with the DAG it belongs to).${saved.length > 0 ? ` Saved specs: ${saved.join(', ')}.` : ''}`,
    },
  )
}

export const specSetCommand: CommandDef = {
  name: 'spec set',
  positionals: [{ name: 'node', required: true, description: 'the DAG node (step name)' }],
  options: {
    input: { type: 'string', multiple: true, value: 'NAME=PATH', description: 'Input path' },
    output: { type: 'string', multiple: true, value: 'NAME=PATH', description: 'Output path' },
    env: { type: 'string', multiple: true, value: 'K=V', description: 'Environment variable' },
    arg: {
      type: 'string',
      multiple: true,
      value: 'K=V',
      description: 'Job argument (JSON values like 3, true, [1,2] are typed; else a string)',
    },
    script: { type: 'string', value: 'PATH', description: 'Script file, relative to --root' },
    runner: { type: 'string', value: 'R', description: `Runner: ${runnerKinds.join(', ')}` },
    notes: { type: 'string', value: 'TEXT', description: 'Free-text notes (user_notes)' },
    timeout: { type: 'string', value: 'S', description: 'Timeout of one execution, in seconds' },
    replace: {
      type: 'boolean',
      description: 'Replace the inputs/outputs/env/args maps given instead of merging into them',
    },
    dag: {
      type: 'string',
      value: 'FILE',
      description:
        "The node's DAG (default: the only *.dag.json at --root); an unknown node is refused",
    },
    new: {
      type: 'boolean',
      description: 'Without a DAG: create a spec for a name that has none (else refused as a typo)',
    },
    ...projectOptions,
    python: {
      type: 'string',
      value: 'PATH',
      description:
        'Python interpreter for this script, saved in the spec ("python"; for the whole project: pipetest.config.json)',
    },
  },
  notes: [
    'Paths are stored as given; relative ones are resolved against --root when the pipeline runs.\n' +
      'Without --replace, each --input/--output/--env/--arg adds or changes one entry and keeps the\n' +
      'others (a node without a spec file starts empty for the options given). The spec file is\n' +
      'written only when every value is valid, and it is the file the node resolves to: the one\n' +
      '"spec show" shows and "run" reads (its step_name is kept).',
  ],
  examples: [
    'pipetest spec set TabularPreprocessing_training \\\n' +
      '    --input data_input=data/sample/raw --output processed_data=out/processed \\\n' +
      '    --env LABEL_FIELD=is_fraud --arg job_type=training --timeout 120',
  ],
  async run({ values, positionals }, ctx) {
    const project = openProject(values, ctx)
    const node = positionals.node!
    const updates = updatesFrom(values, project.rootDir)
    if (Object.keys(updates).length === 0) {
      throw usageError(
        COMMAND,
        'Nothing to set: give at least one of --input, --output, --env, --arg, --script, --runner, --python, --notes, --timeout',
      )
    }
    const dag = knownDag(project, stringOption(values, 'dag'), ctx)
    const { builder } = project
    const resolution = builder.updateNodeSpec(node, updates, {
      ...(flag(values, 'replace') ? { replaceMaps: true } : {}),
      ...(dag ? { dag } : {}),
      // Without a DAG a name is only a guess: a typo must not edit a similar spec, nor
      // create a stray one (with a DAG, an unknown node is refused with a did-you-mean).
      check: (found) => {
        if (dag) return
        if (found.source === 'fuzzy') throw guessedName(node, found, ctx)
        if (found.specFile === undefined && !flag(values, 'new')) throw noSpec(node, builder, ctx)
      },
    })
    const file = resolution.specFile!
    ctx.stdout.write(`${ctx.out.green('✓')} Saved ${displayPath(file, ctx.cwd)}\n`)
    ctx.stdout.write(
      renderSpec(
        {
          spec: resolution.spec,
          source: resolution.source,
          file,
          ...(resolution.scriptPath ? { scriptPath: resolution.scriptPath } : {}),
        },
        ctx.out,
        ctx.cwd,
      ),
    )
    return EXIT.ok
  },
}
