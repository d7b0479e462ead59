import type { Shape } from './shapes.mjs'

export const REPO_ROOT: string
export const TEST_DATA_DIR: string

export type Wiring = 'path' | 'sample'
export type StepRunner = 'python' | 'node'

export interface PipelineOptions {
  runner?: StepRunner | ((node: string) => StepRunner)
  iterations?: number
  wiring?: Wiring
  markerDir?: string
  testDataDir?: string
  loudMegabytes?: number
}

/** What the generator wrote; spec paths are relative to `root`. */
export interface GeneratedPipeline {
  root: string
  dagFile: string
  testDataDir: string
  shape: Shape
  specs: Record<string, { inputPaths: Record<string, string>; outputPaths: Record<string, string> }>
  markerDir: string | undefined
}

export function removeProjects(): void
export function makeProject(label: string, options?: { install?: boolean }): string
export function writePipeline(
  root: string,
  shape: Shape,
  options?: PipelineOptions,
): GeneratedPipeline
