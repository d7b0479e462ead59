import * as facade from 'pipetest'
import * as internal from 'pipetest/internal'
import { describe, expect } from 'vitest'
import { countExecutions, wastedWorkCases } from '../../bench/lib/executions.mjs'
import { writePipeline } from '../../bench/lib/generators.mjs'
import { minimumExecutions } from '../../bench/lib/minimum.mjs'
import { chain, diamond, lattice } from '../../bench/lib/shapes.mjs'
import { test } from '../support/fixtures.js'

// The bench's measure 3 ("no wasted work") as an assertion: all tiers of each bench pipeline
// in one PipelineRun take exactly the minimum number of script executions. The pipelines are
// written in the tests' tempDir folders, not the bench's own projects.

describe('minimum executions of the bench pipelines', () => {
  // Worked by hand, so the expected counts below do not depend on the code they check.
  // test.for, not test.each: it passes the test context (tempDir) after the row.
  test.for([
    ['chain of 6, path-wired: one execution per node', chain(6), 'path', 6],
    ['chain of 6, sample-wired: scripts 6 + flow of the 5 non-sources', chain(6), 'sample', 11],
    ['diamond, path-wired: one execution per node', diamond(), 'path', 4],
    ['diamond, sample-wired: scripts 4 + flow 3 + one per fan-in edge 2', diamond(), 'sample', 9],
    ['8 × 8 lattice, path-wired: one execution per node', lattice(8, 8), 'path', 64],
    [
      '8 × 8 lattice, sample-wired: scripts 64 + flow 56 + edges into fan-ins 112',
      lattice(8, 8),
      'sample',
      232,
    ],
  ] as const)('%s', ([, shape, wiring, expected], { tempDir }) => {
    const pipeline = writePipeline(tempDir('pipetest-bench-minimum-'), shape, { wiring })
    expect(minimumExecutions(pipeline)).toBe(expected)
  })
})

describe('pipetest runs each (node, inputs) pair of the bench pipelines exactly once', () => {
  // A 4 × 4 lattice rather than the bench's 8 × 8: the same fan-in/fan-out sharing, a fifth of
  // the processes, so the project's suite stays quick on two cores.
  for (const testCase of wastedWorkCases({ latticeSize: 4 })) {
    test(`${testCase.shape.name} (${testCase.runner} steps, ${testCase.wiring}-wired specs), all tiers`, async ({
      tempDir,
    }) => {
      const counted = await countExecutions(
        { ...facade, ...internal },
        testCase,
        tempDir('pipetest-bench-executions-'),
      )
      expect({ counted: counted.executionCount, markers: counted.markers }).toEqual({
        counted: counted.minimum,
        markers: counted.minimum,
      })
    })
  }
})
