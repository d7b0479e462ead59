import type * as Pipetest from 'pipetest'
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
  pipetest: typeof Pipetest,
  testCase: WastedWorkCase,
): Promise<ExecutionCount>
