import type { ResolutionSource } from '../builder/index.js'
import { PipetestError, isPipetestError } from '../errors.js'
import { stringifyJson } from '../files/json.js'
import {
  effectiveJobArgs,
  showJobArg,
  specFilePath,
  specToJson,
  type ScriptExecutionSpec,
} from '../spec/index.js'
import type { Colors } from './colors.js'
import { EXIT, flag, stringOption, type CliContext, type CommandDef } from './command.js'
import { dagForNode, openProject, type Project } from './project.js'
import { projectOptions } from './project-options.js'
import { displayPath } from '../text.js'
import { describeSource } from './text.js'

export interface FoundSpec {
  spec: ScriptExecutionSpec
  source: ResolutionSource
  file?: string
  /** The script the builder found for the node, when it found one. */
  scriptPath?: string
}

/**
 * The spec a name refers to: a script name (the file's own content, step_name included) or,
 * through the builder's resolution, a node (by step_name, converted name, fuzzy match; with
 * `dagFile`, the node's declared script too). Undefined when only defaults would apply.
 */
export function findSpec(
  project: Project,
  name: string,
  dagFile: string | undefined,
  ctx: CliContext,
): FoundSpec | undefined {
  const { builder } = project
  if (dagFile === undefined) {
    const byScriptName = scriptSpecByName(project, name)
    if (byScriptName) {
      return {
        spec: byScriptName,
        source: 'script-name',
        file: specFilePath(builder.specsDir, name),
      }
    }
  }
  const resolution = builder.resolveNode(dagForNode(project, dagFile, name, ctx), name)
  if (resolution.source === 'default') return undefined
  return {
    spec: resolution.spec,
    source: resolution.source,
    ...(resolution.specFile ? { file: resolution.specFile } : {}),
    ...(resolution.scriptPath ? { scriptPath: resolution.scriptPath } : {}),
  }
}

/** A node name like `a/b` cannot be a script (file) name: it can only name a node. */
function scriptSpecByName(project: Project, name: string): ScriptExecutionSpec | undefined {
  try {
    return project.builder.getScriptSpecByName(name)
  } catch (error) {
    if (isPipetestError(error) && error.code === 'SPEC_BAD_NAME') return undefined
    throw error
  }
}

/** A spec as aligned `field  value` lines, paths as the user typed them. */
export function renderSpec(found: FoundSpec, c: Colors, cwd: string): string {
  const { spec } = found
  const rows: Array<[string, string]> = []
  const add = (label: string, value: string | undefined) => {
    if (value !== undefined && value !== '') rows.push([label, value])
  }
  add('step', spec.stepName)
  add('file', found.file && displayPath(found.file, cwd))
  add('found', describeSource(found.source))
  add(
    'script',
    spec.scriptPath ??
      (found.scriptPath ? `${displayPath(found.scriptPath, cwd)} ${c.dim('(found)')}` : undefined),
  )
  add('runner', spec.runner)
  add('command', spec.command?.join(' '))
  add('python', spec.python)
  add('timeout', spec.timeoutSeconds === undefined ? undefined : `${spec.timeoutSeconds}s`)
  const map = (label: string, entries: Array<[string, string]>, sep: string) => {
    if (entries.length === 0) {
      rows.push([label, c.dim('none')])
      return
    }
    const keyWidth = sep === '=' ? 0 : Math.max(...entries.map(([key]) => key.length))
    entries.forEach(([key, value], i) =>
      rows.push([i === 0 ? label : '', `${key.padEnd(keyWidth)}${sep}${value}`]),
    )
  }
  map('inputs', Object.entries(spec.inputPaths), '  ')
  map('outputs', Object.entries(spec.outputPaths), '  ')
  map('env', Object.entries(spec.environVars), '=')
  const jobArgs = Object.entries(effectiveJobArgs(spec, spec.stepName))
  map(
    'args',
    jobArgs.map(([key, value], i) => [
      key,
      // cursus' default, which main() receives: shown, and marked as not in the file.
      Object.keys(spec.jobArgs).length === 0 && i === 0
        ? `${showJobArg(value)} ${c.dim('(default: job_args is empty)')}`
        : showJobArg(value),
    ]),
    '=',
  )
  add('notes', spec.userNotes)
  add('updated', spec.lastUpdated)
  const width = Math.max(...rows.map(([label]) => label.length))
  const body = rows.map(([label, value]) => `  ${c.dim(label.padEnd(width))}  ${value}`)
  return `${c.bold(spec.scriptName)}\n${body.join('\n')}\n`
}

export const specShowCommand: CommandDef = {
  name: 'spec show',
  positionals: [
    { name: 'name', required: true, description: 'a DAG node (step name) or a script name' },
  ],
  options: {
    dag: {
      type: 'string',
      value: 'FILE',
      description: "Resolve <name> as a node of this DAG (uses the node's declared script)",
    },
    json: {
      type: 'boolean',
      description:
        'Print {scriptName, file, source, spec, effectiveJobArgs} as JSON (spec in its on-disk form)',
    },
    ...projectOptions,
  },
  examples: [
    'pipetest spec show TabularPreprocessing_training',
    'pipetest spec show tabular_preprocessing --json',
  ],
  async run({ values, positionals }, ctx) {
    const project = openProject(values, ctx)
    const name = positionals.name!
    const dagFile = stringOption(values, 'dag')
    const found = findSpec(project, name, dagFile, ctx)
    if (!found) {
      const saved = project.builder.listSavedSpecs()
      throw new PipetestError(
        'SPEC_NOT_FOUND',
        `No spec for "${name}" in ${displayPath(project.builder.specsDir, ctx.cwd)}`,
        {
          hint:
            (saved.length > 0 ? `Saved specs: ${saved.join(', ')}.\n` : '') +
            `Create one with "pipetest spec set ${name} --input NAME=PATH --output NAME=PATH" or "pipetest init <dag>".`,
        },
      )
    }
    if (flag(values, 'json')) {
      const json = {
        scriptName: found.spec.scriptName,
        file: found.file ?? null,
        source: found.source,
        scriptPath: found.scriptPath ?? null,
        spec: specToJson(found.spec),
        /** What main() receives: cursus' job_type when job_args are empty. */
        effectiveJobArgs: effectiveJobArgs(found.spec, found.spec.stepName),
      }
      // Numbers as the file has them (1.0, NaN), like the file itself.
      ctx.stdout.write(`${stringifyJson(json, 2)}\n`)
      return EXIT.ok
    }
    ctx.stdout.write(renderSpec(found, ctx.out, ctx.cwd))
    return EXIT.ok
  },
}
