import { resolve } from 'node:path'
import { PipelineDAG } from './pipeline-dag.js'

/** What APIs accept as a pipeline: a DAG, a path to its JSON file, or its JSON object. */
export type DagSource = PipelineDAG | string | Record<string, unknown>

/**
 * Turns any {@link DagSource} into a validated DAG. A relative path is resolved against
 * `rootDir`; an object's node scripts are relative to `rootDir` too.
 */
export function loadDag(source: DagSource, rootDir: string): PipelineDAG {
  if (source instanceof PipelineDAG) return source.validate()
  if (typeof source === 'string') return PipelineDAG.fromFile(resolve(rootDir, source))
  return PipelineDAG.fromJSON(source, { baseDir: rootDir })
}
