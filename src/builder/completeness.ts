import { existsSync } from 'node:fs'
import { basename, extname, join, normalize, resolve, sep } from 'node:path'
import type { PipelineDAG } from '../dag/pipeline-dag.js'
import { PipetestError } from '../errors.js'
import {
  DEFAULT_PLACEHOLDER,
  isDefaultPlaceholder,
  type ScriptExecutionSpec,
} from '../spec/script-execution-spec.js'
import { specFilePath } from '../spec/spec-store.js'
import type { BuilderPaths, DetailedResolution } from './resolve-node.js'
import { SCRIPT_EXTENSIONS } from './script-lookup.js'
import { displayPath, specSetCommandLine } from '../text.js'
import { specSetFix, suggestedPath } from './spec-fixes.js'
import { misspeltKeyProblems } from './spec-identity.js'
import type { SpecProblem } from './spec-problem.js'

/** A problem of a node before the node is named: what the helpers below return. */
type Found = Omit<SpecProblem, 'node' | 'scriptName'>

interface SpecIssue {
  kind: 'incomplete' | 'no-outputs'
  message: string
  inputs?: string[]
  outputs?: string[]
}

/**
 * What makes a spec unusable on its own, before any file system check. Stricter than cursus
 * in one way and looser in another: a spec must declare at least one output (a test could
 * never show that the script wrote anything otherwise) and no path may be blank, but inputs
 * may be empty, because a source step (a data loader) legitimately reads nothing.
 */
export function specIssues(spec: ScriptExecutionSpec, rootDir?: string): SpecIssue[] {
  const issues: SpecIssue[] = []
  const blank: string[] = []
  if (spec.scriptName.trim() === '') blank.push('script_name')
  if (spec.stepName.trim() === '') blank.push('step_name')
  const blankInputs = blankKeys(spec.inputPaths)
  const blankOutputs = blankKeys(spec.outputPaths)
  blank.push(...blankInputs.map((name) => `input_paths.${name}`))
  blank.push(...blankOutputs.map((name) => `output_paths.${name}`))
  if (blank.length > 0) {
    issues.push({
      kind: 'incomplete',
      message: `${blank.join(', ')} ${blank.length === 1 ? 'is' : 'are'} blank`,
      inputs: blankInputs,
      outputs: blankOutputs,
    })
  }
  if (Object.keys(spec.outputPaths).length === 0) {
    issues.push({
      kind: 'no-outputs',
      message: 'output_paths is empty: the test could never show that the script wrote anything',
    })
  }
  // `data/in`, `./data/in/` and `data//in` are one folder.
  const key = (path: string) =>
    rootDir ? resolve(rootDir, path) : normalize(path).replace(/(.)[\\/]+$/, '$1')
  const inputsByPath = new Map(
    Object.entries(spec.inputPaths)
      .filter(([, path]) => path.trim() !== '')
      .map(([name, path]) => [key(path), name]),
  )
  for (const [name, path] of Object.entries(spec.outputPaths)) {
    const input = path.trim() === '' ? undefined : inputsByPath.get(key(path))
    if (input !== undefined) {
      issues.push({
        kind: 'incomplete',
        message: `output_paths.${name} and input_paths.${input} are the same path (${path}): outputs must not be written over inputs`,
        outputs: [name],
      })
    }
  }
  return issues
}

/** True when the spec names its script and step, declares an output and has no blank path. */
export function isSpecComplete(spec: ScriptExecutionSpec): boolean {
  return specIssues(spec).length === 0
}

interface ProblemContext extends BuilderPaths {
  dag: PipelineDAG
  /** What each node's upstream steps declare ({@link upstreamOutputs}). */
  upstream: (node: string) => UpstreamOutputs
}

/** Every problem of one resolved node; an empty list means the node is ready to test. */
export function problemsOfNode(
  detailed: DetailedResolution,
  context: ProblemContext,
): SpecProblem[] {
  const { resolution, invalid } = detailed
  const { node, scriptName, spec } = resolution
  const show = (path: string) => displayPath(path, context.rootDir)
  const problems: SpecProblem[] = []
  const add = (problem: Found) => problems.push({ node, scriptName, ...problem })

  if (invalid) {
    const runner = invalid.error.field === 'runner'
    add({
      kind: runner ? 'unknown-runner' : 'invalid-spec',
      message: invalid.error.shortMessage,
      fix: fixOfLoadError(invalid.error, show(invalid.file)),
      file: invalid.file,
    })
  } else if (resolution.source === 'default' && resolution.specFile === undefined) {
    const file = specFilePath(context.specsDir, scriptName)
    add({
      kind: 'missing-spec',
      message: `No spec file for "${node}" (expected ${show(file)} or a spec with step_name "${node}"); using defaults: ${describePorts(spec)}`,
      fix: specSetFix(node, { inputs: spec.inputPaths, outputs: spec.outputPaths }),
    })
  } else {
    const file = resolution.specFile
    for (const issue of specIssues(spec, context.rootDir)) {
      const suggest = (direction: 'input' | 'output', names: string[] = []) =>
        Object.fromEntries(
          names.map((name) => [
            name,
            suggestedPath(direction, name, scriptName, context.testDataDirForSpecs),
          ]),
        )
      const outputs = suggest(
        'output',
        issue.kind === 'no-outputs' ? ['data_output'] : issue.outputs,
      )
      const inputs = suggest('input', issue.inputs)
      add({
        kind: issue.kind,
        message: `Spec for "${node}"${file ? ` (${show(file)})` : ''}: ${issue.message}`,
        fix: specSetFix(node, {
          ...(Object.keys(inputs).length > 0 ? { inputs } : {}),
          ...(Object.keys(outputs).length > 0 ? { outputs } : {}),
        }),
        ...(file ? { file } : {}),
      })
    }
  }

  if (detailed.scriptRequired && !detailed.script.found) add(scriptProblem(detailed, context, show))
  const runner = runnerProblem(detailed, show)
  if (runner) add(runner)
  return [
    ...problems,
    ...misspeltKeyProblems(detailed, context.rootDir),
    ...missingInputProblems(detailed, context),
  ]
}

/**
 * A script that is neither Python nor Node, in a spec without `runner` or `command`, would be
 * run as `script --job_type …`. cursus drops pipetest's keys when it re-saves a spec, so
 * this is how a working shell step breaks silently (`tar: --job_type`).
 */
function runnerProblem(
  detailed: DetailedResolution,
  show: (path: string) => string,
): Found | undefined {
  const { spec, node, specFile } = detailed.resolution
  if (!detailed.script.found || spec.runner || spec.command) return undefined
  const script = detailed.script.path
  if ((SCRIPT_EXTENSIONS as readonly string[]).includes(extname(script).toLowerCase()))
    return undefined
  return {
    kind: 'no-runner',
    message: `Script ${show(script)} of "${node}" is neither Python nor Node, and its spec names no "runner" or "command" (cursus drops them when it re-saves a spec): it would run as ${basename(script)} --NAME VALUE for each job argument`,
    fix: `Add "command": ["{script}", "{input:NAME}", "{output:NAME}"] (the arguments it expects)${specFile ? ` to ${show(specFile)}` : ''}, or accept job arguments as flags: ${specSetCommandLine(node, { runner: 'command' })}`,
    ...(specFile ? { file: specFile } : {}),
  }
}

function scriptProblem(
  detailed: DetailedResolution,
  context: ProblemContext,
  show: (path: string) => string,
): Found {
  const { node, scriptName, specFile } = detailed.resolution
  const location = detailed.script
  if (location.found) throw new Error('scriptProblem called for a found script')
  if ('declared' in location) {
    const { declared, alsoFound } = location
    const where =
      declared.via === 'spec'
        ? `script_path in ${specFile ? show(specFile) : 'the spec'}`
        : `the DAG${context.dag.file ? ` (${show(context.dag.file)})` : ''}`
    const pointTo = specSetCommandLine(node, { script: alsoFound ? show(alsoFound) : 'PATH' })
    const fix =
      declared.via === 'dag'
        ? `Fix "script" of node "${node}" in ${context.dag.file ? show(context.dag.file) : 'the DAG'}, or: ${pointTo}`
        : pointTo
    return {
      kind: 'script-not-found',
      message: `Script for "${node}" not found: ${where} names ${show(declared.path)}, which does not exist${alsoFound ? ` (${show(alsoFound)} exists)` : ''}`,
      fix,
      ...(declared.via === 'spec' && specFile ? { file: specFile } : {}),
    }
  }
  const names = SCRIPT_EXTENSIONS.map((extension) => `${scriptName}${extension}`).join(', ')
  // The DAG folder's scripts/ is the conventional home; the DAG folder itself is searched first.
  const home = location.searched.find((dir) => basename(dir) === 'scripts') ?? location.searched[0]!
  return {
    kind: 'script-not-found',
    message: `Script "${scriptName}" for "${node}" not found: looked for ${names} in ${location.searched.map(show).join(', ')}`,
    fix: `Put the script at ${show(join(home, `${scriptName}.py`))} (or .mjs/.js), or point to it: ${specSetCommandLine(node, { script: 'PATH' })}`,
    ...(specFile ? { file: specFile } : {}),
  }
}

/** The load error's hint, which names the file when it does not already. */
function fixOfLoadError(error: PipetestError, file: string): string {
  const hint = error.hint ?? 'Fix the field named above.'
  return error.file !== undefined && hint.includes(error.file) ? hint : `In ${file}: ${hint}`
}

function describePorts(spec: ScriptExecutionSpec): string {
  return [
    ...Object.entries(spec.inputPaths).map(([name, path]) => `input ${name}=${path}`),
    ...Object.entries(spec.outputPaths).map(([name, path]) => `output ${name}=${path}`),
  ].join(', ')
}

function blankKeys(paths: Record<string, string>): string[] {
  return Object.entries(paths)
    .filter(([, path]) => path.trim() === '')
    .map(([name]) => name)
}

/**
 * One error for every problem of every node, grouped per node, so a CI log shows the whole
 * to-do list at once instead of one problem per run.
 */
export function specsIncompleteError(problems: SpecProblem[], dag: PipelineDAG): PipetestError {
  const byNode = new Map<string, SpecProblem[]>()
  for (const problem of problems) {
    byNode.set(problem.node, [...(byNode.get(problem.node) ?? []), problem])
  }
  const total = dag.nodes.length
  const sections = [...byNode.entries()].map(([node, list]) => {
    const lines = list.flatMap((problem) => [
      ...problem.message.split('\n').map((line, i) => (i === 0 ? `  - ${line}` : `    ${line}`)),
      ...problem.fix.split('\n').map((line, i) => `    ${i === 0 ? 'fix: ' : '     '}${line}`),
    ])
    return [`${node} (script "${list[0]!.scriptName}"):`, ...lines].join('\n')
  })
  const pipeline = dag.name ? ` of pipeline "${dag.name}"` : ''
  return new PipetestError(
    'SPECS_INCOMPLETE',
    `The specs${pipeline} are not ready: ${problems.length} problem${problems.length === 1 ? '' : 's'} in ${byNode.size} of ${total} node${total === 1 ? '' : 's'}\n\n${sections.join('\n\n')}\n`,
    {
      ...(dag.file ? { file: dag.file } : {}),
      hint: `${byNode.size} of ${total} DAG node${total === 1 ? '' : 's'} need${byNode.size === 1 ? 's' : ''} work before testing: apply each fix above, then run \`pipetest validate\` again.`,
    },
  )
}

/** What upstream steps declare, seen from one node. */
export interface UpstreamOutputs {
  /**
   * Whether an absolute input path is an output path of an ancestor (or inside one): the
   * engine feeds such an input from that step's run.
   */
  feeds(path: string): boolean
  /**
   * The direct parent's output wired to `input`, as written in its spec, to suggest as the
   * input's path: the one the edge's `ports` name, else one of the same name, else the single
   * output of the single parent without ports (the engine's pairing, in that order). None
   * when the DAG wires something else there.
   */
  feederOf(input: string): { node: string; name: string; path: string } | undefined
}

/**
 * For each node, the output paths its upstream steps declare: an input pointing at one of
 * them (or inside one) is fed by the engine from that step's run, so it need not exist.
 * Each output path is resolved once, and a node's ancestors are walked only when one of its
 * inputs does not exist, not for every node of a large DAG.
 */
export function upstreamOutputs(
  dag: PipelineDAG,
  resolved: DetailedResolution[],
  rootDir: string,
): (node: string) => UpstreamOutputs {
  const specOf = new Map(resolved.map(({ resolution }) => [resolution.node, resolution.spec]))
  const declared = (node: string) =>
    Object.entries(specOf.get(node)?.outputPaths ?? {}).filter(([, path]) => path.trim() !== '')
  const resolvedOutputs = new Map(
    dag.nodes.map((node) => [node, declared(node).map(([, path]) => resolve(rootDir, path))]),
  )
  const within = (path: string, outputs: string[]) =>
    outputs.some((output) => path === output || path.startsWith(output + sep))
  return (node) => {
    let fed: string[] | undefined
    return {
      feeds(path) {
        // Usually a direct parent feeds the input: only then walk every ancestor (a long
        // chain would otherwise cost a walk of the whole DAG per node).
        const parents = dag.getDependencies(node).flatMap((up) => resolvedOutputs.get(up) ?? [])
        if (within(path, parents)) return true
        fed ??= dag.ancestorsOf(node).flatMap((up) => resolvedOutputs.get(up) ?? [])
        return within(path, fed)
      },
      feederOf(input) {
        const parents = dag.getDependencies(node).map((up) => ({
          up,
          ports: dag.getEdge(up, node)?.ports,
          outputs: declared(up),
        }))
        const pick = (up: string, [name, path]: [string, string]) => ({ node: up, name, path })
        for (const { up, ports, outputs } of parents) {
          const output = outputs.find(([name]) => ports?.[name] === input)
          if (output) return pick(up, output)
        }
        const unported = parents.filter((parent) => parent.ports === undefined)
        for (const { up, outputs } of unported) {
          const output = outputs.find(([name]) => name === input)
          if (output) return pick(up, output)
        }
        const only = unported.length === 1 ? unported[0]! : undefined
        return only?.outputs.length === 1 ? pick(only.up, only.outputs[0]!) : undefined
      },
    }
  }
}

/**
 * Inputs that neither exist nor come from an upstream step: a run would stop at once with
 * "missing inputs", so `validate` says it first (right after `init`, the default input
 * folders do not exist yet). For a downstream step the fix offers the parent's output.
 */
function missingInputProblems(
  detailed: DetailedResolution,
  context: ProblemContext,
): SpecProblem[] {
  // A broken file or a missing spec is already reported with its own fix.
  if (detailed.invalid || detailed.resolution.specFile === undefined) return []
  const { node, scriptName, spec, specFile } = detailed.resolution
  const show = (path: string) => displayPath(path, context.rootDir)
  const upstream = context.upstream(node)
  const missing = Object.entries(spec.inputPaths).filter(([, path]) => {
    if (path.trim() === '') return false
    const absolute = resolve(context.rootDir, path)
    return !existsSync(absolute) && !upstream.feeds(absolute)
  })
  if (missing.length === 0) return []
  const placeholder = specSetCommandLine(node, {
    inputs: Object.fromEntries(missing.map(([name]) => [name, 'PATH'])),
  })
  const [only] = missing.length === 1 ? missing : []
  const parent = only && upstream.feederOf(only[0])
  // A leftover default (init wrote one data_input before it read scripts): often unread.
  const leftover =
    only && isDefaultPlaceholder(spec, 'inputs', ...only, context.testDataDirForSpecs)
  const scriptPath = detailed.resolution.scriptPath
  const script = scriptPath === undefined ? 'the script' : show(scriptPath)
  const fromParent = parent
    ? `; to feed it from ${parent.node}'s ${parent.name}: ${specSetCommandLine(node, {
        inputs: { [only![0]]: parent.path },
      })}`
    : ''
  return [
    {
      node,
      scriptName,
      kind: 'missing-input',
      message: `Input data for "${node}" does not exist: ${missing
        .map(([name, path]) => `${name} → ${show(resolve(context.rootDir, path))}`)
        .join(', ')}`,
      fix: `${leftover ? `It is ${DEFAULT_PLACEHOLDER}: remove input_paths.${only![0]} from the spec if ${script} does not read it, else put sample data there` : 'Put sample data there'}, or point the spec at existing data: ${placeholder}${fromParent}`,
      ...(specFile ? { file: specFile } : {}),
    },
  ]
}
