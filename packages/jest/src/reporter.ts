/**
 * `@pipetest/jest/reporter` — writes pipetest's HTML report (and, under GitHub Actions, the job
 * summary) at the end of a test run. Add it next to your usual reporters:
 *
 * @example
 * // jest.config.js
 * module.exports = {
 *   reporters: ['default', ['@pipetest/jest/reporter', { outputDir: 'reports' }]],
 * }
 */
import { RunCollector, type ReporterOptions } from 'pipetest/internal/report'

// Constructed before Jest starts its workers: they inherit the journal folder it names.
class PipetestReporter extends RunCollector {
  /** Jest passes its global config first, then the options given in `reporters`. */
  constructor(_globalConfig: unknown, options: ReporterOptions = {}) {
    super(options ?? {})
  }

  onRunStart(): void {
    this.reset()
  }

  async onRunComplete(): Promise<void> {
    await this.publish()
  }

  getLastError(): Error | undefined {
    return undefined
  }
}

// Jest loads a reporter with `require` and takes the module itself (or its default) as the class.
export = PipetestReporter
