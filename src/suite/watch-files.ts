import { resolve } from 'node:path'
import type { PipelineTestingSpecBuilder } from '../builder/index.js'
import type { PipelineDAG } from '../dag/index.js'
import type { PipelineTestingSpec } from '../spec/index.js'

/**
 * What a pipeline's tests read besides their own imports: the DAG file, the specs folder
 * (a new spec file changes which spec a node uses), each script and each input path (file or
 * folder of sample data). Watch mode reruns the tests when one of them changes. Ancestors of
 * the selected nodes are included: their outputs feed the selected ones.
 */
export function watchFilesOf(
  pipelineSpec: PipelineTestingSpec,
  builder: PipelineTestingSpecBuilder,
  nodes: string[],
): string[] {
  const { dag, rootDir } = pipelineSpec
  const files = new Set<string>()
  if (dag.file !== undefined) files.add(dag.file)
  files.add(builder.specsDir)
  const involved = withAncestors(dag, nodes)
  for (const node of dag.topologicalSort().filter((name) => involved.has(name))) {
    const spec = pipelineSpec.scriptSpecs[node]
    if (!spec) continue
    if (spec.scriptPath !== undefined) files.add(resolve(rootDir, spec.scriptPath))
    for (const path of Object.values(spec.inputPaths)) {
      if (path.trim() !== '') files.add(resolve(rootDir, path))
    }
  }
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
