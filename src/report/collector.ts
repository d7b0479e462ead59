import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readJournal, RESULTS_FILE, RUN_JOURNAL_ENV } from '../engine/run-record.js'
import { describePublished, publishReport } from './write-report.js'

/** What users pass to the Vitest and Jest reporters. */
export interface ReporterOptions {
  /** Folder of `pipetest-report.html`, relative to the working directory. Default `reports`. */
  outputDir?: string
  /** Also write the Markdown summary to this file. */
  summaryFile?: string
}

/**
 * The framework-free half of the Vitest and Jest reporters. Test files run in workers, so the
 * results are not in the reporter's process: the reporter names a journal folder in the
 * environment the workers inherit (create it before they start), every run those workers
 * close notes its run folder there (the folder holds its results.json), and at the end of
 * the test run the report is written from those folders.
 *
 * A framework's reporter extends it, constructed with the reporter's options:
 *
 * @example
 * class Reporter extends RunCollector {
 *   onRunStart() { this.reset() }                     // at each test run's start
 *   async onRunEnd() { await this.publish() }         // at its end
 * }
 */
export class RunCollector {
  readonly #options: ReporterOptions
  readonly #journal: string

  constructor(options: ReporterOptions = {}) {
    this.#options = options
    this.#journal = mkdtempSync(join(tmpdir(), 'pipetest-journal-'))
    process.env[RUN_JOURNAL_ENV] = this.#journal
  }

  /** Forgets earlier test runs (watch mode reruns with the same workers). */
  reset(): void {
    rmSync(this.#journal, { recursive: true, force: true })
  }

  /**
   * Writes the report of this test run's pipelines and prints where it is and a link per
   * failed node; nothing when no pipeline ran.
   */
  async publish(cwd: string = process.cwd()): Promise<void> {
    const runFolders = readJournal(this.#journal).filter((runFolder) =>
      existsSync(join(runFolder, RESULTS_FILE)),
    )
    // Read once: the next test run (watch mode) starts a fresh journal in the same folder.
    this.reset()
    if (runFolders.length === 0) return
    const { outputDir: dir, summaryFile } = this.#options
    const published = await publishReport(runFolders, { dir, summaryFile, cwd })
    const lines = describePublished(published, cwd)
    process.stdout.write(`\npipetest\n${lines.map((line) => `  ${line}\n`).join('')}`)
  }
}
