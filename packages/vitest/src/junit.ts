/**
 * `@pipetest/vitest/junit` — Vitest's own JUnit reporter, plus each generated test's
 * properties (node, script, runner, exit code, outcome, run folder, …) as `<property>`
 * elements. Use it in place of `junit`; it takes the same options (`outputFile`, `suiteName`,
 * `--outputFile.junit`). The properties travel in the test's `meta`, which the terminal
 * reporters do not print, so a failing test shows its failure and not a dozen property lines.
 *
 * @example
 * npx vitest run --reporter=default --reporter=@pipetest/vitest/junit --outputFile.junit=reports/junit.xml
 */
import type { RunnerTask } from 'vitest'
import { JUnitReporter } from 'vitest/reporters'
import { propertiesOf } from './junit-properties.js'

export default class PipetestJUnitReporter extends JUnitReporter {
  // Vitest's reporter writes a test's annotations as its properties (3.2 and 4 alike, from
  // `writeTasks`): hand it copies of the tests carrying ours as annotations.
  override writeTasks(tasks: RunnerTask[], filename: string): Promise<void> {
    return super.writeTasks(tasks.map(withProperties), filename)
  }
}

function withProperties(task: RunnerTask): RunnerTask {
  const properties = task.type === 'test' ? propertiesOf(task) : undefined
  if (task.type !== 'test' || properties === undefined) return task
  const annotations = Object.entries(properties).map(([type, message]) => ({ type, message }))
  return { ...task, annotations: [...task.annotations, ...annotations] }
}
