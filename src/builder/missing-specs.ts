import { isPipetestError, type PipetestError } from '../errors.js'
import type { ScriptExecutionSpec } from '../spec/script-execution-spec.js'
import { saveSpecFile } from '../spec/spec-store.js'
import type { DetailedResolution, ResolutionSource } from './resolve-node.js'
import type { SpecCatalog } from './spec-catalog.js'

/** What {@link createMissingSpecs} did for one node. */
export type SpecCreation =
  /** A default spec file was written for the node. */
  | { node: string; action: 'created'; file: string }
  /** The node resolves to a file created for an earlier node (same script): nothing written. */
  | { node: string; action: 'shared'; file: string; createdFor: string }
  /** The node already had a spec file, left unchanged. */
  | { node: string; action: 'existing'; file: string; source: ResolutionSource }
  /** The spec file the node would use cannot be loaded (or written): left unchanged. */
  | { node: string; action: 'unreadable'; error: PipetestError }

/**
 * The spec to write for a node that has none, given the default one and the specs of the
 * nodes handled before it (existing or just written): `init` fills it from the contract.
 */
export type SpecTemplate = (
  node: string,
  base: ScriptExecutionSpec,
  specOf: (node: string) => ScriptExecutionSpec | undefined,
) => ScriptExecutionSpec

/**
 * Writes a default spec (or the template's) for each node without one, in the given order, never over a file.
 * Nodes are resolved one after another against one catalog that learns each file as it is
 * written: two nodes running the same script share the spec the first one created, exactly
 * as a later resolution sees them, and each spec file is read once (a new one just after it
 * is written).
 */
export function createMissingSpecs(
  nodes: readonly string[],
  resolve: (node: string) => DetailedResolution,
  catalog: SpecCatalog,
  specFor: SpecTemplate = (_node, base) => base,
): SpecCreation[] {
  const createdFor = new Map<string, string>()
  const known = new Map<string, ScriptExecutionSpec>()
  return nodes.map((node): SpecCreation => {
    try {
      const { resolution, invalid } = resolve(node)
      if (invalid) throw invalid.error
      if (resolution.source !== 'default' && resolution.specFile) {
        known.set(node, resolution.spec)
        const owner = createdFor.get(resolution.specFile)
        return owner
          ? { node, action: 'shared', file: resolution.specFile, createdFor: owner }
          : { node, action: 'existing', file: resolution.specFile, source: resolution.source }
      }
      const spec = specFor(node, resolution.spec, (other) => known.get(other))
      known.set(node, spec)
      const { file } = saveSpecFile(spec, catalog.specsDir, { overwrite: false })
      catalog.load(spec.scriptName)
      createdFor.set(file, node)
      return { node, action: 'created', file }
    } catch (error) {
      if (!isPipetestError(error)) throw error
      return { node, action: 'unreadable', error }
    }
  })
}
