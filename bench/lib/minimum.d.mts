import type { GeneratedPipeline } from './generators.mjs'

export function minimumExecutions(
  pipeline: Pick<GeneratedPipeline, 'shape' | 'specs'>,
  tiers?: { scripts?: boolean; compatibility?: boolean; flow?: boolean },
): number
