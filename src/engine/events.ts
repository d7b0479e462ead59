import type { ExecutionResult } from './results.js'

/** Why an execution was first requested; it names the execution's folder (`<n>-<purpose>`). */
export type ExecutionPurpose = 'script' | 'edge' | 'flow'

/** Progress of a run, for reporters and the CLI's live view. */
export type PipelineEvent =
  | { type: 'started'; node: string; executionId: string; purpose: ExecutionPurpose }
  | { type: 'finished'; node: string; executionId: string; result: ExecutionResult }
  | { type: 'blocked'; node: string; executionId: string; blockedBy: string }
