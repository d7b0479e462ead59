/**
 * Where a generated test keeps its JUnit properties: the task's `meta`, which Vitest sends
 * to the main process with the result (and keeps in blob reports for `--merge-reports`).
 * Annotations would reach Vitest's own `junit` reporter directly, but the default reporter
 * prints every annotation of a failed test, two lines each: a dozen lines per failure.
 */
import type { RunnerTask } from 'vitest'

const KEY = 'pipetestProperties'

type WithProperties = { [KEY]?: Record<string, string> }

/** Adds `properties` to the test's own (a later value of a name replaces the earlier one). */
export function recordProperties(task: RunnerTask, properties: Record<string, string>): void {
  const meta = task.meta as WithProperties
  meta[KEY] = { ...meta[KEY], ...properties }
}

export function propertiesOf(task: RunnerTask): Record<string, string> | undefined {
  return (task.meta as WithProperties | undefined)?.[KEY]
}
