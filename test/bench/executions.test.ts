import * as facade from 'pipetest'
import * as internal from 'pipetest/internal'
import { afterAll, describe, expect, test } from 'vitest'
import { countExecutions, wastedWorkCases } from '../../bench/lib/executions.mjs'
import { removeProjects, writePipeline, makeProject } from '../../bench/lib/generators.mjs'
import { minimumExecutions } from '../../bench/lib/minimum.mjs'
import { chain, diamond, lattice } from '../../bench/lib/shapes.mjs'

// The bench's measure 3 ("no wasted work") as an assertion: all tiers of each bench pipeline
// in one PipelineRun take exactly the minimum number of script executions.
afterAll(() => removeProjects())

describe('minimum executions of the bench pipelines', () => {
  // Worked by hand, so the expected counts below do not depend on the code they check.
  test.each([
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
  ] as const)('%s', (_title, shape, wiring, expected) => {
    const pipeline = writePipeline(makeProject('minimum'), shape, { wiring })
    expect(minimumExecutions(pipeline)).toBe(expected)
  })
})

describe('pipetest runs each (node, inputs) pair of the bench pipelines exactly once', () => {
  // A 4 × 4 lattice rather than the bench's 8 × 8: the same fan-in/fan-out sharing, a fifth of
  // the processes, so the project's suite stays quick on two cores.
  for (const testCase of wastedWorkCases({ latticeSize: 4 })) {
    test(`${testCase.shape.name} (${testCase.runner} steps, ${testCase.wiring}-wired specs), all tiers`, async () => {
      const counted = await countExecutions({ ...facade, ...internal }, testCase)
      expect({ counted: counted.executionCount, markers: counted.markers }).toEqual({
        counted: counted.minimum,
        markers: counted.minimum,
      })
    })
  }
})
