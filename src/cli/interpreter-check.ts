import type { PipelineTestingSpecBuilder, SpecProblem } from '../builder/index.js'
import type { PipelineDAG } from '../dag/index.js'
import { DEFAULT_PYTHON } from '../engine/run-options.js'
import { InterpreterNotFoundError, resolvePython, selectRunner } from '../runners/index.js'

/** A spec problem, or a Python interpreter that the run would not find. */
export type ValidateProblem = Omit<SpecProblem, 'kind'> & {
  kind: SpecProblem['kind'] | 'interpreter-not-found'
}

/**
 * Every Python node's interpreter (its spec's `python`, else `--python`, else python3) is
 * started once, as the run would, so a missing or too old Python is reported by `validate`
 * instead of failing each node of the run.
 */
export async function interpreterProblems(
  builder: PipelineTestingSpecBuilder,
  dag: PipelineDAG,
  python: string | undefined,
): Promise<ValidateProblem[]> {
  const { scriptSpecs } = builder.buildFromDag(dag, { validate: false })
  const users = new Map<string, string[]>()
  for (const node of dag.nodes) {
    const spec = scriptSpecs[node]
    if (!spec || selectRunner(spec) !== 'python') continue
    const interpreter = spec.python ?? python ?? DEFAULT_PYTHON
    users.set(interpreter, [...(users.get(interpreter) ?? []), node])
  }
  const problems: ValidateProblem[] = []
  for (const [interpreter, nodes] of users) {
    try {
      await resolvePython(interpreter)
    } catch (error) {
      if (!(error instanceof InterpreterNotFoundError)) throw error
      // The error's own text is "<what is wrong> Install it, or choose another …".
      const at = error.message.indexOf(' Install it')
      const message = at === -1 ? error.message : error.message.slice(0, at)
      const fix = at === -1 ? 'Install it, or pass --python PATH.' : error.message.slice(at + 1)
      for (const node of nodes) {
        problems.push({
          node,
          scriptName: scriptSpecs[node]!.scriptName,
          kind: 'interpreter-not-found',
          message,
          fix,
        })
      }
    }
  }
  return problems
}
