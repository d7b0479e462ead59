import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { REPO_ROOT } from './generators.mjs'

/**
 * The bench measures the BUILT packages, as a user installs them: `pipetest` resolves through
 * node_modules to the root's dist/. Other work may be rebuilding dist/ at the same moment
 * (tsup cleans it first), so a missing build is waited for briefly instead of failing. The bench
 * drives the engine (`PipelineRun`), which is in `pipetest/internal`, next to the façade.
 */
export async function loadPipetest({ attempts = 30 } = {}) {
  let lastError
  for (let i = 0; i < attempts; i++) {
    try {
      return { ...(await import('pipetest')), ...(await import('pipetest/internal')) }
    } catch (error) {
      if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error
      lastError = error
      await sleep(2000)
    }
  }
  throw lastError
}

/** Binaries of the test frameworks, from the repository's node_modules. */
export const VITEST_BIN = join(REPO_ROOT, 'node_modules', 'vitest', 'vitest.mjs')
export const JEST_BIN = join(REPO_ROOT, 'node_modules', 'jest', 'bin', 'jest.js')

/**
 * Builds the PipelineTestingSpec of a generated pipeline with the builder, validating that
 * every spec is complete (a generator bug must fail here, not be timed).
 */
export function buildPipelineSpec(pipetest, pipeline) {
  const builder = new pipetest.PipelineTestingSpecBuilder({
    rootDir: pipeline.root,
    testDataDir: pipeline.testDataDir,
  })
  builder.validateSpecsCompleteness(pipeline.dagFile)
  return builder.buildFromDag(pipeline.dagFile)
}

/** Throws with the failing results' messages unless every result is `passed`. */
export function assertAllPassed(label, results) {
  const failed = results.filter((result) => result && result.status !== 'passed')
  if (failed.length > 0) {
    const lines = failed
      .slice(0, 5)
      .map(
        (r) =>
          `  ${r.node ?? (r.from ? `${r.from} -> ${r.to}` : r.kind)}: ${r.status} ${r.outcome}: ${r.message}`,
      )
    throw new Error(`${label}: ${failed.length} result(s) did not pass:\n${lines.join('\n')}`)
  }
}
