/**
 * `@pipetest/vitest/reporter` — writes pipetest's HTML report (and, under GitHub Actions, the
 * job summary) at the end of a test run. Add it next to your usual reporters:
 *
 * @example
 * // vitest.config.ts
 * export default defineConfig({
 *   test: { reporters: ['default', ['@pipetest/vitest/reporter', { outputDir: 'reports' }]] },
 * })
 */
import { RunCollector, type ReporterOptions } from 'pipetest/internal/report'

export type { ReporterOptions } from 'pipetest/internal/report'

export default class PipetestReporter {
  readonly #collector: RunCollector

  constructor(options: ReporterOptions = {}) {
    // Before Vitest starts its workers: they inherit the journal folder in their environment.
    this.#collector = new RunCollector(options)
  }

  onTestRunStart(): void {
    this.#collector.reset()
  }

  async onTestRunEnd(): Promise<void> {
    await this.#collector.publish()
  }
}
