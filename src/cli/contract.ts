import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import {
  cursusDisagreements,
  readContracts,
  showSignature,
  type ContractKey,
  type ContractRole,
  type ScriptContract,
} from '../contract/index.js'
import { PipetestError } from '../errors.js'
import type { Colors } from './colors.js'
import { EXIT, flag, stringOption, type CliContext, type CommandDef } from './command.js'
import { openProject, type Project } from './project.js'
import { projectOptions } from './project-options.js'
import { findSpec } from './spec-show.js'
import { displayPath } from '../text.js'

const ROLE_LABEL: Record<ContractRole, string> = {
  inputs: 'inputs',
  outputs: 'outputs',
  env: 'env',
  jobArgs: 'args',
}

export const contractCommand: CommandDef = {
  name: 'contract',
  positionals: [
    {
      name: 'target',
      required: true,
      description: 'a DAG node, a script name with a spec, or a script file',
    },
  ],
  options: {
    dag: {
      type: 'string',
      value: 'FILE',
      description: "Resolve <target> as a node of this DAG (uses the node's declared script)",
    },
    json: { type: 'boolean', description: 'Print the contract as JSON' },
    ...projectOptions,
  },
  notes: [
    'Python scripts are parsed by the interpreter that runs them (its own ast module, one\n' +
      'process, nothing imported or executed); a cursus <script>_contract.py next to the script\n' +
      'or in ../contracts/ is read too. A Node script may export `contract`; a command step\n' +
      'names its inputs and outputs in its argv template.',
  ],
  examples: [
    'pipetest contract TabularPreprocessing_training --dag pipeline.dag.json',
    'pipetest contract scripts/train.py --json',
  ],
  async run({ values, positionals }, ctx) {
    const project = openProject(values, ctx)
    const target = scriptOf(project, positionals.target!, stringOption(values, 'dag'), ctx)
    const [contract] = await readContracts([target], project.reading)
    ctx.stdout.write(
      flag(values, 'json')
        ? `${JSON.stringify(contract, null, 2)}\n`
        : renderContract(contract!, ctx.out, ctx.cwd),
    )
    return contract!.error ? EXIT.failed : EXIT.ok
  },
}

/** A script file as given, or the script of a node or spec name. */
function scriptOf(
  project: Project,
  name: string,
  dagFile: string | undefined,
  ctx: CliContext,
): {
  scriptPath: string
  runner?: ScriptContract['language']
  command?: string[]
  python?: string
} {
  const file = resolve(ctx.cwd, name)
  if (dagFile === undefined && existsSync(file) && statSync(file).isFile()) {
    return { scriptPath: file }
  }
  const found = findSpec(project, name, dagFile, ctx)
  const scriptPath =
    found?.scriptPath ??
    (found?.spec.scriptPath === undefined
      ? undefined
      : resolve(project.rootDir, found.spec.scriptPath))
  if (found === undefined || scriptPath === undefined) {
    throw new PipetestError(
      'SPEC_NOT_FOUND',
      `No script found for "${name}"${dagFile ? ` in ${dagFile}` : ''}`,
      {
        hint: dagFile
          ? `Check the node's "script" in ${dagFile}, or pass the script file: pipetest contract scripts/<script>.py`
          : `Pass the script file (pipetest contract scripts/<script>.py), or the node with --dag FILE.`,
      },
    )
  }
  const { spec } = found
  return {
    scriptPath,
    ...(spec.runner ? { runner: spec.runner } : {}),
    ...(spec.command ? { command: spec.command } : {}),
    ...(spec.python ? { python: spec.python } : {}),
  }
}

/** The contract as aligned sections, each name with its line in the script. */
export function renderContract(contract: ScriptContract, c: Colors, cwd: string): string {
  const script = displayPath(contract.scriptPath, cwd)
  const by =
    contract.source === 'code'
      ? `read from the code by ${contract.interpreter?.executable ?? 'Python'} ${contract.interpreter?.version ?? ''}`.trimEnd()
      : contract.source === 'node-export'
        ? 'its exported `contract`'
        : contract.source === 'command-template'
          ? 'its argv template'
          : 'nothing declared'
  const lines = [`${c.bold(script)} ${c.dim(`(${contract.language}, ${by})`)}`]
  if (contract.error) {
    lines.push(`  ${c.red('✗')} ${contract.error.message}`)
    return `${lines.join('\n')}\n`
  }
  const rows: Array<[string, string]> = []
  if (contract.main?.kind === 'def') {
    rows.push(['main', `${showSignature(contract.main)}  ${c.dim(`line ${contract.main.line}`)}`])
  } else if (contract.main?.kind === 'no-main') {
    rows.push(['main', c.red('none defined')])
  } else if (contract.main?.kind === 'unknown') {
    rows.push(['main', c.dim('not a top-level def (checked when the script runs)')])
  }
  for (const role of ['inputs', 'outputs', 'env', 'jobArgs'] as const) {
    const keys = contract[role]
    if (keys.length === 0) {
      rows.push([ROLE_LABEL[role], c.dim('none found')])
      continue
    }
    const width = Math.max(...keys.map((key) => key.name.length))
    keys.forEach((key, i) =>
      rows.push([
        i === 0 ? ROLE_LABEL[role] : '',
        `${key.name.padEnd(width)}  ${describeKey(key, c)}`,
      ]),
    )
  }
  const imports = contract.imports.filter((entry) => entry.kind !== 'stdlib')
  imports.forEach((entry, i) => {
    const status = entry.available
      ? c.green('found')
      : entry.guarded
        ? c.dim('not found (optional: guarded by try/except)')
        : c.red('not found')
    const what =
      entry.kind === 'local' && entry.file ? `local ${displayPath(entry.file, cwd)}` : entry.kind
    rows.push([i === 0 ? 'imports' : '', `${entry.module}  ${c.dim(what)}  ${status}`])
  })
  const gaps = [...contract.computed, ...contract.whole]
  gaps.forEach((gap, i) =>
    rows.push([
      i === 0 ? 'unknown' : '',
      `line ${gap.line}: ${gap.reason} ${c.dim(`(${ROLE_LABEL[gap.role]})`)}`,
    ]),
  )
  if (contract.cursus) {
    rows.push(['cursus', displayPath(contract.cursus.file, cwd)])
    for (const disagreement of cursusDisagreements(contract))
      rows.push(['', c.yellow(disagreement.message)])
    for (const requirement of contract.cursus.frameworkRequirements) {
      const have = requirement.installed ?? 'not installed'
      rows.push([
        '',
        `${requirement.distribution}${requirement.specifier}: ${requirement.satisfied ? c.green(have) : c.red(have)}`,
      ])
    }
  }
  if (contract.cursusError) rows.push(['cursus', c.red(contract.cursusError)])
  const width = Math.max(...rows.map(([label]) => label.length))
  for (const [label, value] of rows) lines.push(`  ${c.dim(label.padEnd(width))}  ${value}`)
  return `${lines.join('\n')}\n`
}

function describeKey(key: ContractKey, c: Colors): string {
  const parts: string[] = [key.required ? 'required' : 'optional']
  if (key.default !== undefined) {
    const value =
      key.default === null
        ? 'None'
        : typeof key.default === 'object'
          ? key.default.computed
          : JSON.stringify(key.default)
    parts.push(`default ${value}`)
  }
  if (key.via) parts.push(key.via)
  if (key.line) parts.push(`line ${key.line}`)
  return c.dim(parts.join(', '))
}
