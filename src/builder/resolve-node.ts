import { closest } from '../text.js'
import { basename, extname, resolve } from 'node:path'
import type { PipelineDAG } from '../dag/pipeline-dag.js'
import { showName } from '../dag/node-name.js'
import { PipetestError } from '../errors.js'
import {
  createDefaultSpec,
  scriptNameSchema,
  type ScriptExecutionSpec,
} from '../spec/script-execution-spec.js'
import type { CatalogEntry, SpecCatalog } from './spec-catalog.js'
import { locateScript, type ScriptLocation } from './script-lookup.js'
import { toScriptName, toSnakeCase } from './script-name.js'
import { matchStepToSpec } from './spec-matching.js'

/** How a node's spec was found, in the order they are tried. */
export type ResolutionSource =
  /** The node declares `script` in the DAG and a spec file for that script exists. */
  | 'dag-script'
  /** A saved spec's `step_name` is the node. */
  | 'step-name'
  /** A spec file is named after the node (`tabular_preprocessing`, or cursus' `<node>_runtime_test_spec.json`). */
  | 'script-name'
  /** The converted node name (`TabularPreprocessing_training` → `tabular_preprocessing`). */
  | 'converted-name'
  /** A saved spec matched by name variations or token similarity. */
  | 'fuzzy'
  /** No usable spec file: an in-memory default. */
  | 'default'

export interface NodeResolution {
  node: string
  scriptName: string
  /** The node's spec; its `stepName` is the node even when the file is shared by several nodes. */
  spec: ScriptExecutionSpec
  source: ResolutionSource
  /** Absolute path of the spec file the spec was loaded from. */
  specFile?: string
  /**
   * The `step_name` that file holds, which a save keeps: it differs from the node when the
   * file is shared with another node, or is empty (cursus accepts that).
   */
  fileStepName?: string
  /** Absolute path of the script, when it was found. */
  scriptPath?: string
}

/** The builder's folders, as resolutions and problem reports use them. */
export interface BuilderPaths {
  rootDir: string
  /** Absolute test data dir. */
  testDataDir: string
  specsDir: string
  /** The test data dir as written into default specs (relative to rootDir when inside it). */
  testDataDirForSpecs: string
}

/** A resolution plus what the problem report needs to know about it. */
export interface DetailedResolution {
  resolution: NodeResolution
  /** Other spec files whose `step_name` is this node too (a copied file is the usual cause). */
  rivals?: string[]
  /** The spec as its file holds it (its own `step_name`), when the node has a usable file. */
  fileSpec?: ScriptExecutionSpec
  /** The spec file this node would use, which cannot be loaded (a default is used instead). */
  invalid?: CatalogEntry & { error: PipetestError }
  script: ScriptLocation
  /** False for a `command` spec whose argv does not use `{script}`: no script file is needed. */
  scriptRequired: boolean
}

/**
 * Resolves one node to its spec in this order: the node's declared script; a spec
 * whose `step_name` is the node; the node name as a script name, or converted to one; a
 * fuzzy match among the saved spec names; else an in-memory default (never written here).
 * Throws only for a node that is not in the DAG; a broken spec file is returned in `invalid`.
 */
export function resolveNodeDetailed(
  context: BuilderPaths,
  catalog: SpecCatalog,
  dag: PipelineDAG,
  node: string,
): DetailedResolution {
  const declaration = dag.getNode(node)
  if (!declaration) {
    const suggestion = closest(node, dag.nodes)
    throw new PipetestError(
      'UNKNOWN_NODE',
      `Node "${showName(node)}" is not in the DAG${dag.file ? ` (${dag.file})` : ''}${suggestion ? ` (did you mean "${showName(suggestion)}"?)` : ''}`,
      {
        node,
        ...(dag.file ? { file: dag.file } : {}),
        hint: `Use one of the DAG's nodes: ${dag.nodes.join(', ')}.`,
      },
    )
  }
  const dagDir = dag.baseDir ?? context.rootDir
  const dagScriptPath =
    declaration.script === undefined ? undefined : resolve(dagDir, declaration.script)

  const fallbackName =
    dagScriptPath === undefined ? toScriptName(node) : scriptNameFromFile(dagScriptPath)
  const claims = catalog.claimedBy(node, fallbackName)
  const found = (entry: CatalogEntry | undefined, source: ResolutionSource) =>
    entry && { entry, source }
  const fuzzy = () => {
    const name = matchStepToSpec(node, catalog.names)
    return name === undefined ? undefined : found(catalog.get(name), 'fuzzy')
  }
  // The ways a spec is found, in the order of ResolutionSource; cursus once named spec files
  // after the node (`<node>_runtime_test_spec.json`).
  const chosen =
    dagScriptPath !== undefined
      ? (found(catalog.get(fallbackName), 'dag-script') ?? found(claims[0], 'step-name'))
      : (found(claims[0], 'step-name') ??
        found(catalog.get(node), 'script-name') ??
        found(catalog.get(fallbackName), 'converted-name') ??
        fuzzy())

  let resolution: NodeResolution
  let invalid: DetailedResolution['invalid']
  const fileSpec = chosen?.entry.spec
  if (chosen?.entry.spec) {
    const spec = { ...structuredClone(chosen.entry.spec), stepName: node }
    resolution = {
      node,
      scriptName: spec.scriptName,
      spec,
      source: chosen.source,
      specFile: chosen.entry.file,
      fileStepName: chosen.entry.spec.stepName,
    }
  } else {
    if (chosen?.entry.error) invalid = { ...chosen.entry, error: chosen.entry.error }
    // A default for the broken file's script, so the report and a later fix name one file.
    const scriptName = chosen && isScriptName(chosen.entry.name) ? chosen.entry.name : fallbackName
    const spec = createDefaultSpec(scriptName, node, context.testDataDirForSpecs)
    resolution = { node, scriptName, spec, source: 'default' }
  }

  const script = locateScript({
    scriptName: resolution.scriptName,
    // An empty script_path (cursus accepts one) means: find the script by name.
    specScriptPath: resolution.spec.scriptPath || undefined,
    dagScriptPath,
    dagDir,
    rootDir: context.rootDir,
    testDataDir: context.testDataDir,
  })
  if (script.found) resolution.scriptPath = script.path
  const command = resolution.spec.command
  const scriptRequired = !command || command.some((arg) => arg.includes('{script}'))
  const rivals = claims.filter((entry) => entry !== chosen?.entry).map((entry) => entry.file)
  return {
    resolution,
    script,
    scriptRequired,
    ...(rivals.length > 0 && chosen ? { rivals } : {}),
    ...(fileSpec ? { fileSpec } : {}),
    ...(invalid ? { invalid } : {}),
  }
}

/** `scripts/tabular_preprocessing.py` → `tabular_preprocessing` (made file-name safe if needed). */
function scriptNameFromFile(file: string): string {
  const stem = basename(file, extname(file))
  return isScriptName(stem) ? stem : toSnakeCase(stem)
}

function isScriptName(name: string): boolean {
  return scriptNameSchema().safeParse(name).success
}
