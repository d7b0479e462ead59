import { PipetestError } from '../errors.js'
import {
  scriptExecutionSpecSchema,
  type ScriptExecutionSpec,
  type ScriptExecutionSpecInput,
} from '../spec/script-execution-spec.js'

/** camelCase field → the snake_case key users see in spec files and commands. */
const SNAKE_FIELDS: Record<string, string> = {
  scriptName: 'script_name',
  stepName: 'step_name',
  scriptPath: 'script_path',
  inputPaths: 'input_paths',
  outputPaths: 'output_paths',
  environVars: 'environ_vars',
  jobArgs: 'job_args',
  lastUpdated: 'last_updated',
  userNotes: 'user_notes',
  timeoutSeconds: 'timeout_seconds',
}

/**
 * Validates a spec built in memory (from updates or prompts) with the zod schema and turns
 * the first problem into a PipetestError naming the field in its on-disk spelling, before
 * anything is written.
 */
export function validateSpec(spec: ScriptExecutionSpecInput, node: string): ScriptExecutionSpec {
  const result = scriptExecutionSpecSchema.safeParse(spec)
  if (result.success) return result.data
  const lines = result.error.issues.map((issue) => {
    const [head, ...rest] = issue.path.map(String)
    const field = [SNAKE_FIELDS[head ?? ''] ?? head, ...rest].join('.')
    return { field, line: `  - ${field || '(root)'}: ${issue.message}` }
  })
  return fail(node, lines)
}

function fail(node: string, lines: Array<{ field: string; line: string }>): never {
  throw new PipetestError(
    'SPEC_INVALID',
    `The spec for "${node}" is invalid:\n${lines.map((entry) => entry.line).join('\n')}`,
    {
      node,
      field: lines[0]?.field ?? '',
      hint: 'Nothing was saved. Correct the value named above and try again.',
    },
  )
}
