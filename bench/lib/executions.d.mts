import type * as Pipetest from 'pipetest'
import type * as PipetestInternal from 'pipetest/internal'
import type { StepRunner, Wiring } from './generators.mjs'
import type { Shape } from './shapes.mjs'

export interface WastedWorkCase {
  shape: Shape
  runner: StepRunner
  wiring: Wiring
}

export interface ExecutionCount {
  shape: string
  runner: StepRunner
  wiring: Wiring
  nodes: number
  edges: number
  minimum: number
  executionCount: number
  markers: number
}

export function wastedWorkCases(options?: { latticeSize?: number }): WastedWorkCase[]
export function countExecutions(
  pipetest: Pick<typeof Pipetest, 'PipelineTestingSpecBuilder'> &
    Pick<typeof PipetestInternal, 'PipelineRun'>,
  testCase: WastedWorkCase,
  root?: string,
): Promise<ExecutionCount>
