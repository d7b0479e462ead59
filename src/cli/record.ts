import { rmSync } from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'
import {
  checkContract,
  describeViolations,
  observedContract,
  summarizeData,
  writeSample,
  type DataContract,
  type PortContracts,
} from '../data/index.js'
import { selectNodes, type PipelineDAG } from '../dag/index.js'
import { PipelineRun, type ExecutionResult } from '../engine/index.js'
import type { PipelineTestingSpec, ScriptExecutionSpec } from '../spec/index.js'
import { EXIT, countOption, flag, listOption, type CommandDef } from './command.js'
import { dagFileOf, loadDagArg, openProject, type Project } from './project.js'
import { dagPositional, projectOptions } from './project-options.js'
import { displayPath } from '../text.js'
import { count } from './text.js'

const DEFAULT_SAMPLE_ROWS = 100

export const recordCommand: CommandDef = {
  name: 'record',
  positionals: [dagPositional],
  options: {
    only: {
      type: 'string',
      multiple: true,
      value: 'SEL',
      description: 'Only the selected nodes, as run --only selects them (default: every node)',
    },
    overwrite: {
      type: 'boolean',
      description: 'Replace contracts already in the specs (default: only add missing ones)',
    },
    samples: {
      type: 'boolean',
      description:
        "Also save the first rows of each upstream output a node reads as that node's sample input",
    },
    'sample-rows': {
      type: 'string',
      value: 'N',
      description: `Rows per file in a sample (default ${DEFAULT_SAMPLE_ROWS})`,
    },
    check: {
      type: 'boolean',
      description:
        'Write nothing; fail when outputs break their contracts, lack one, or samples are stale',
    },
    ...projectOptions,
  },
  notes: [
    'record runs the whole DAG (the flow: inputs wired along the edges) and, for each node,\n' +
      'writes "output_contracts" and "input_contracts" into its spec: format, columns with their\n' +
      'type, nullable: false where nothing was missing, allowed values of low-cardinality columns,\n' +
      'the keys of JSON documents, rows ≥ 1. Review them and tighten (min/max, unique, strict).\n' +
      'Outputs that are not data (a pickled model) get no contract.\n' +
      "With --samples, an input fed by an upstream step gets a sample of that step's real output\n" +
      'under <test-data-dir>/<script>/samples/<input>, and the spec reads it, so scripts tests of\n' +
      'sample-wired specs run on data shaped like the real thing.\n' +
      'Exit code with --check: 0 everything matches, 1 otherwise (for CI).',
  ],
  examples: [
    'pipetest record pipeline.dag.json',
    'pipetest record pipeline.dag.json --only Train --samples',
    'pipetest record pipeline.dag.json --check',
  ],
  async run({ values, positionals }, ctx) {
    const project = openProject(values, ctx)
    const dag = loadDagArg(dagFileOf(positionals.dag, 'record', ctx), ctx)
    const only = listOption(values, 'only')
    const nodes = only.length > 0 ? selectNodes(dag, only, '--only') : dag.nodes
    const check = flag(values, 'check')
    const options = {
      overwrite: flag(values, 'overwrite'),
      samples: flag(values, 'samples'),
      sampleRows: countOption(values, 'sample-rows', 'record') ?? DEFAULT_SAMPLE_ROWS,
    }
    // Not validated: a sample input that does not exist yet is what --samples is about to write,
    // and the flow feeds every wired input from its upstream anyway.
    const pipelineSpec = project.builder.buildFromDag(dag, { validate: false })
    // Recording observes the data as it flows; contracts about to be replaced must not stop it.
    const flowSpec = check ? pipelineSpec : withoutContracts(pipelineSpec)
    const run = new PipelineRun(flowSpec, project.python ? { python: project.python } : {})
    let flow
    try {
      flow = await run.testFlow()
    } finally {
      await run.close()
    }
    const lines: string[] = []
    let failures = 0
    for (const node of nodes) {
      const result = flow.scriptResults[node]!
      const spec = pipelineSpec.scriptSpecs[node]!
      const found = check
        ? await checkNode(node, spec, result, pipelineSpec)
        : await recordNode(node, spec, result, { dag, project, pipelineSpec, ...options })
      failures += found.failures
      lines.push(...found.lines)
    }
    ctx.stdout.write(`${lines.join('\n')}\n`)
    if (check) {
      ctx.stdout.write(
        failures === 0
          ? `record --check: every contract and sample matches today's data.\n`
          : `record --check: ${count(failures, 'mismatch', 'mismatches')}. Review the change; if it is intended, run pipetest record ${displayPath(dag.file!, ctx.cwd)} --overwrite${options.samples ? ' --samples' : ''}.\n`,
      )
    }
    return failures === 0 ? EXIT.ok : EXIT.failed
  },
}

interface RecordContext {
  dag: PipelineDAG
  project: Project
  pipelineSpec: PipelineTestingSpec
  overwrite: boolean
  samples: boolean
  sampleRows: number
}

interface NodeReport {
  lines: string[]
  failures: number
}

async function recordNode(
  node: string,
  spec: ScriptExecutionSpec,
  result: ExecutionResult,
  context: RecordContext,
): Promise<NodeReport> {
  if (result.status !== 'passed') {
    const why = result.status === 'blocked' ? `blocked by ${result.blockedBy}` : result.outcome
    return { lines: [`✗ ${node}: not recorded, its flow run did not pass (${why})`], failures: 1 }
  }
  const lines: string[] = []
  const outputs = Object.fromEntries(result.outputs.map((output) => [output.name, output.path]))
  const observed = {
    output: await observePorts(node, 'output', outputs, lines),
    input: await observePorts(node, 'input', result.inputs, lines),
  }
  const mergeOf = (direction: 'input' | 'output', existing: PortContracts | undefined) =>
    merge(existing, observed[direction], context.overwrite, node, direction, lines)
  const outputContracts = mergeOf('output', spec.outputContracts)
  const inputContracts = mergeOf('input', spec.inputContracts)
  const inputPaths: Record<string, string> = {}
  if (context.samples) {
    for (const [input, source] of Object.entries(result.wiredFrom)) {
      if (isPathWired(context.pipelineSpec, spec, input, source)) {
        lines.push(
          `  ${node} input ${input}: reads ${source.node}.${source.output} itself (its spec names that output's path), no sample needed`,
        )
        continue
      }
      const target = samplePath(context, spec, input)
      rmSync(target, { recursive: true, force: true })
      const written = await writeSample(result.inputs[input]!, target, context.sampleRows)
      const where = relative(context.project.rootDir, target).split('\\').join('/')
      for (const skipped of written.skipped)
        lines.push(`  ${node} input ${input}: sample skips ${skipped}`)
      if (written.files.length > 0) {
        inputPaths[input] = where
        lines.push(
          `  ${node} input ${input}: sample of ${source.node}.${source.output} (${count(written.files.length, 'file')}, ≤ ${context.sampleRows} rows each) in ${where}`,
        )
      }
    }
  }
  const saved = context.project.builder.updateScriptSpec(
    node,
    {
      ...(outputContracts ? { outputContracts } : {}),
      ...(inputContracts ? { inputContracts } : {}),
      ...(Object.keys(inputPaths).length > 0 ? { inputPaths } : {}),
    },
    { dag: context.dag },
  )
  lines.unshift(`✓ ${node}: recorded in ${saved.scriptName}'s spec`)
  return { lines, failures: 0 }
}

async function checkNode(
  node: string,
  spec: ScriptExecutionSpec,
  result: ExecutionResult,
  pipelineSpec: PipelineTestingSpec,
): Promise<NodeReport> {
  const lines: string[] = []
  if (result.status === 'blocked') {
    return { lines: [`✗ ${node}: not run, blocked by ${result.blockedBy}`], failures: 1 }
  }
  for (const check of result.dataChecks ?? []) {
    for (const line of describeViolations(check.violations)) {
      lines.push(`  ${node} ${check.direction} ${check.port}: ${line}`)
    }
  }
  if (result.status !== 'passed' && lines.length === 0) {
    lines.push(`  ${node}: failed (${result.outcome}): ${result.message.split('\n')[0] ?? ''}`)
  }
  const ports = [
    ...result.outputs.map((o) => ['output', o.name, o.path, spec.outputContracts] as const),
    ...Object.entries(result.inputs).map(
      ([name, path]) => ['input', name, path, spec.inputContracts] as const,
    ),
  ]
  for (const [direction, port, path, contracts] of ports) {
    if (contracts?.[port] !== undefined || result.status !== 'passed') continue
    if (observedContract(await summarizeData(path)) !== undefined) {
      lines.push(`  ${node} ${direction} ${port}: no contract recorded`)
    }
  }
  // A sample of an upstream output: today's output must still have the sample's columns and types.
  for (const [input, source] of Object.entries(result.wiredFrom)) {
    if (isPathWired(pipelineSpec, spec, input, source)) continue
    const samplePath = resolve(pipelineSpec.rootDir, spec.inputPaths[input] ?? '')
    const today = observedContract(await summarizeData(result.inputs[input]!))
    if (today === undefined) continue
    const shape: DataContract =
      today.keys !== undefined
        ? { keys: typesOnly(today.keys), strict: true }
        : { columns: typesOnly(today.columns), strict: true }
    for (const line of describeViolations(checkContract(await summarizeData(samplePath), shape))) {
      lines.push(
        `  ${node} input ${input}: the sample no longer matches ${source.node}.${source.output}: ${line}`,
      )
    }
  }
  return {
    lines: [lines.length === 0 ? `✓ ${node}: matches` : `✗ ${node}:`, ...lines],
    failures: lines.length,
  }
}

async function observePorts(
  node: string,
  direction: 'input' | 'output',
  paths: Record<string, string>,
  lines: string[],
): Promise<PortContracts> {
  const observed: PortContracts = {}
  for (const [port, path] of Object.entries(paths)) {
    const summary = await summarizeData(path)
    const contract = observedContract(summary)
    if (contract === undefined) {
      const reason =
        summary.kind === 'unreadable'
          ? summary.reason
              .split('\n')
              .map((line) => line.trim())
              .join(' ')
          : 'no data'
      lines.push(`  ${node} ${direction} ${port}: no contract (${reason})`)
    } else observed[port] = contract
  }
  return observed
}

function merge(
  existing: PortContracts | undefined,
  observed: PortContracts,
  overwrite: boolean,
  node: string,
  direction: string,
  lines: string[],
): PortContracts | undefined {
  const merged: PortContracts = { ...existing }
  for (const [port, contract] of Object.entries(observed)) {
    if (existing?.[port] !== undefined && !overwrite) {
      lines.push(
        `  ${node} ${direction} ${port}: kept the contract in the spec (--overwrite replaces it)`,
      )
      continue
    }
    merged[port] = contract
    lines.push(`  ${node} ${direction} ${port}: ${describeContract(contract)}`)
  }
  return Object.keys(merged).length > 0 ? merged : undefined
}

function describeContract(contract: DataContract): string {
  if (contract.keys !== undefined)
    return `${contract.format ?? 'data'} document, keys ${Object.keys(contract.keys).join(', ')}`
  const columns = Object.keys(contract.columns ?? {})
  return `${contract.format ?? 'data'}, ${columns.length} columns (${columns.join(', ')})`
}

function typesOnly(
  columns: DataContract['columns'] | DataContract['keys'],
): NonNullable<DataContract['columns']> {
  return Object.fromEntries(
    Object.entries(columns ?? {}).map(([name, column]) => [
      name,
      column.type ? { type: column.type } : {},
    ]),
  )
}

/** The spec reads the upstream's declared output path: the engine feeds it the real output. */
function isPathWired(
  pipelineSpec: PipelineTestingSpec,
  spec: ScriptExecutionSpec,
  input: string,
  source: { node: string; output: string },
): boolean {
  const upstreamOutput = pipelineSpec.scriptSpecs[source.node]?.outputPaths[source.output]
  const inputPath = spec.inputPaths[input]
  if (upstreamOutput === undefined || inputPath === undefined) return false
  const path = resolve(pipelineSpec.rootDir, inputPath)
  const output = resolve(pipelineSpec.rootDir, upstreamOutput)
  return path === output || path.startsWith(output + sep)
}

function samplePath(context: RecordContext, spec: ScriptExecutionSpec, input: string): string {
  return join(context.pipelineSpec.testWorkspaceRoot, spec.scriptName, 'samples', input)
}

function withoutContracts(pipelineSpec: PipelineTestingSpec): PipelineTestingSpec {
  const scriptSpecs = Object.fromEntries(
    Object.entries(pipelineSpec.scriptSpecs).map(([node, spec]) => {
      const { outputContracts: _outputs, inputContracts: _inputs, ...rest } = spec
      return [node, rest]
    }),
  )
  return { ...pipelineSpec, scriptSpecs }
}
