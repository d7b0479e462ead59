import { existsSync, realpathSync } from 'node:fs'
import { basename, dirname, join, relative, resolve, sep } from 'node:path'
import { findCursusContract, nodeLocalModules, readPythonContractsSync } from '../contract/index.js'
import { PipelineDAG } from '../dag/index.js'
import { InterpreterNotFoundError, selectRunner } from '../runners/index.js'
import type { PipelineTestingSpec } from '../spec/index.js'
import { changedFilesSince, fileAtRef, type GitChanges } from './git.js'

/** A node whose own files changed, and which of them. */
export interface ChangedNode {
  node: string
  files: string[]
}

/** What `--changed REF` selects. */
export interface AffectedNodes {
  ref: string
  /** Nodes whose script, local modules, spec file or input data changed (topological order). */
  changed: ChangedNode[]
  /** Those and everything downstream of them, in topological order. */
  affected: string[]
  /** Why every node counts as changed, when the DAG file's version at `ref` is unknown. */
  note?: string
}

export interface ChangedOptions {
  /** Each node's spec file, when it has one (a new or edited spec changes the node). */
  specFiles: ReadonlyMap<string, string | undefined>
  /** Interpreter reading Python scripts' imports when a spec names none. */
  python: string
  contractsDir?: string | undefined
}

/**
 * The nodes a change since `ref` affects: those whose script, project-local modules it
 * imports (transitively, read statically by src/contract), spec file or input data (a file or
 * a folder of it) differ from `ref` or are new, plus everything downstream of them.
 *
 * @example
 *   changedNodesSince('origin/main', pipelineSpec, { specFiles, python: 'python3' }).affected
 */
export function changedNodesSince(
  ref: string,
  pipelineSpec: PipelineTestingSpec,
  options: ChangedOptions,
): AffectedNodes {
  const changes = changedFilesSince(ref, pipelineSpec.rootDir)
  const { dag } = pipelineSpec
  const sources = nodeSources(pipelineSpec, options)
  const dagFile = dag.file === undefined ? undefined : canonical(dag.file)
  if (dagFile === undefined || !changes.files.some((file) => canonical(file) === dagFile)) {
    return affectedNodes(dag, sources, changes)
  }
  // The DAG file is every node's source too, but an edit of one node's entry (or a new
  // node) changes only that node: compare the definitions with the DAG at `ref`.
  const before = dagAtRef(ref, dagFile, changes.root)
  const redefined = new Set(before ? nodesRedefined(dag, before) : dag.nodes)
  const withDag = new Map(
    [...sources].map(([node, files]) => [node, redefined.has(node) ? [...files, dagFile] : files]),
  )
  const affected = affectedNodes(dag, withDag, changes)
  if (before) return affected
  const shown = relative(changes.root, dagFile)
  return {
    ...affected,
    note: `${shown} is new since ${ref} (or unreadable there): every node counts as changed`,
  }
}

function dagAtRef(ref: string, dagFile: string, root: string): PipelineDAG | undefined {
  const text = fileAtRef(ref, dagFile, root)
  if (text === undefined) return undefined
  try {
    return PipelineDAG.fromJSON(JSON.parse(text) as unknown, { file: dagFile })
  } catch {
    return undefined // not a DAG then (broken, another format): nothing to compare with
  }
}

/** New nodes, and those with another script, other tags or other incoming edges or ports. */
function nodesRedefined(dag: PipelineDAG, before: PipelineDAG): string[] {
  const definition = (of: PipelineDAG, node: string) =>
    JSON.stringify({
      script: of.getNode(node)?.script ?? null,
      tags: of.tagsOf(node),
      from: [...of.getDependencies(node)]
        .sort()
        .map((up) => [up, of.getEdge(up, node)?.ports ?? null]),
    })
  return dag.nodes.filter(
    (node) => !before.hasNode(node) || definition(dag, node) !== definition(before, node),
  )
}

/**
 * Every file and folder the executions of `nodes` (default: all) read, canonical (symlinks
 * resolved): the spec file, the input paths, the script and the project-local modules it
 * imports, transitively (Python's read by the interpreter's `ast` in one process, Node's
 * relative imports), and a cursus contract file beside it. What `--changed` compares and what
 * watch mode watches.
 */
export function nodeSources(
  pipelineSpec: PipelineTestingSpec,
  options: ChangedOptions,
  nodes: readonly string[] = pipelineSpec.dag.nodes,
): Map<string, string[]> {
  const { rootDir } = pipelineSpec
  const sources = new Map<string, Set<string>>()
  const byPython = new Map<string, Array<{ node: string; scriptPath: string }>>()
  for (const node of nodes) {
    const files = new Set<string>()
    sources.set(node, files)
    const spec = pipelineSpec.scriptSpecs[node]
    const specFile = options.specFiles.get(node)
    if (specFile !== undefined) files.add(canonical(specFile))
    if (!spec) continue
    for (const path of Object.values(spec.inputPaths)) {
      if (path.trim() !== '') files.add(canonical(resolve(rootDir, path)))
    }
    if (spec.scriptPath === undefined || spec.scriptPath === '') continue
    const scriptPath = resolve(rootDir, spec.scriptPath)
    files.add(canonical(scriptPath))
    const runner = selectRunner(spec)
    if (runner === 'python') {
      const python = spec.python ?? options.python
      byPython.set(python, [...(byPython.get(python) ?? []), { node, scriptPath }])
    } else if (runner === 'node') {
      for (const file of nodeLocalModules(scriptPath)) files.add(canonical(file))
    }
  }
  for (const [python, scripts] of byPython) {
    let contracts
    try {
      contracts = readPythonContractsSync(
        scripts.map(({ scriptPath }) => {
          const cursusFile = findCursusContract(scriptPath, options.contractsDir)
          return { scriptPath, ...(cursusFile ? { cursusFile } : {}) }
        }),
        python,
      )
    } catch (error) {
      // Without its interpreter a script cannot run either: its own test says why.
      if (error instanceof InterpreterNotFoundError) continue
      throw error
    }
    contracts.forEach((contract, i) => {
      const files = sources.get(scripts[i]!.node)!
      for (const file of contract.localFiles) files.add(canonical(file))
      if (contract.cursus) files.add(canonical(contract.cursus.file))
    })
  }
  return new Map([...sources].map(([node, files]) => [node, [...files]]))
}

/** The nodes whose sources hold a changed file, and everything downstream of them. */
export function affectedNodes(
  dag: PipelineDAG,
  sources: ReadonlyMap<string, string[]>,
  changes: GitChanges,
): AffectedNodes {
  const changedFiles = changes.files.map(canonical)
  const changed: ChangedNode[] = []
  for (const node of dag.topologicalSort()) {
    const watched = sources.get(node) ?? []
    const files = changedFiles.filter((file) =>
      watched.some(
        (path) => file === path || file.startsWith(path.endsWith(sep) ? path : path + sep),
      ),
    )
    if (files.length > 0) changed.push({ node, files })
  }
  const affected = new Set(changed.flatMap(({ node }) => dag.descendantsOf(node)))
  return {
    ref: changes.ref,
    changed,
    affected: dag.topologicalSort().filter((node) => affected.has(node)),
  }
}

/**
 * A path as git reports it: symlinks resolved (a temporary folder or a linked checkout), also
 * for a file that no longer exists (a deleted input), through its nearest existing folder.
 */
function canonical(path: string): string {
  if (existsSync(path)) return realpathSync(path)
  const parent = dirname(path)
  return parent === path ? path : join(canonical(parent), basename(path))
}
