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
import { RunCollector } from 'pipetest/internal/report'

export type { ReporterOptions } from 'pipetest/internal/report'

// Constructed before Vitest starts its workers: they inherit the journal folder it names.
export default class PipetestReporter extends RunCollector {
  onTestRunStart(): void {
    this.reset()
  }

  async onTestRunEnd(): Promise<void> {
    await this.publish()
  }
}
