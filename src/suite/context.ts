import type { PipelineRun } from '../engine/pipeline-run.js'
import type { PipelineTestingSpec } from '../spec/index.js'

/**
 * The pipeline a result came from, riding on results returned by `runScript`/`runPipeline`
 * so `expect(result).toProduceOutputsFor('Train')` can look at the DAG and run the edge.
 * Stored under a non-enumerable symbol: results stay plain, serialisable objects (JSON,
 * snapshots, worker messages never see it). `Symbol.for` so two copies of the core in one
 * process (a linked and an installed one, say) read each other's results.
 */
const PIPELINE_CONTEXT = Symbol.for('pipetest.pipelineContext')

export interface PipelineContext {
  run: PipelineRun
  pipelineSpec: PipelineTestingSpec
  pipelineName: string
}

export function attachPipelineContext<T extends object>(result: T, context: PipelineContext): T {
  // Not enumerable, not writable (defineProperty's defaults); configurable, to attach anew.
  Object.defineProperty(result, PIPELINE_CONTEXT, { value: context, configurable: true })
  return result
}

export function pipelineContextOf(result: unknown): PipelineContext | undefined {
  if (result === null || typeof result !== 'object') return undefined
  return (result as { [PIPELINE_CONTEXT]?: PipelineContext })[PIPELINE_CONTEXT]
}
