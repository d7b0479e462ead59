import type { PipelineTestingSpecBuilder } from '../builder/index.js'
import { nodeSources, type ChangedOptions } from '../changes/index.js'
import type { PipelineDAG } from '../dag/index.js'
import type { PipelineTestingSpec } from '../spec/index.js'

/**
 * What a pipeline's tests read besides their own imports: the DAG file, the specs folder
 * (a new spec file changes which spec a node uses), and what each node's executions read
 * (its spec file, input paths, script and the project-local modules the script imports,
 * src/changes). Watch mode reruns the tests when one of them changes or is deleted. Ancestors
 * of the selected nodes are included: their outputs feed the selected ones.
 */
export function watchFilesOf(
  pipelineSpec: PipelineTestingSpec,
  builder: PipelineTestingSpecBuilder,
  nodes: string[],
  options: ChangedOptions,
): string[] {
  const { dag } = pipelineSpec
  const files = new Set<string>()
  if (dag.file !== undefined) files.add(dag.file)
  files.add(builder.specsDir)
  const involved = withAncestors(dag, nodes)
  const sources = nodeSources(
    pipelineSpec,
    options,
    dag.topologicalSort().filter((name) => involved.has(name)),
  )
  for (const paths of sources.values()) paths.forEach((path) => files.add(path))
  return [...files]
}
/**
 * The nodes and everything upstream of them, in one walk: asking each node for its ancestors
 * would walk (and sort) the DAG once per node: about a second on a thousand-node pipeline.
 */
function withAncestors(dag: PipelineDAG, nodes: string[]): Set<string> {
  const seen = new Set(nodes)
  const stack = [...nodes]
  while (stack.length > 0) {
    for (const parent of dag.getDependencies(stack.pop()!)) {
      if (!seen.has(parent)) {
        seen.add(parent)
        stack.push(parent)
      }
    }
  }
  return seen
}
