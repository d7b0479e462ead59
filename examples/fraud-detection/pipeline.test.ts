import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'
import { describePipeline, runScript } from '@pipetest/vitest'

// The example's own folder is its project root: the DAG, the specs' relative paths and the
// test data dir are all resolved against it, wherever Vitest is started from.
const rootDir = fileURLToPath(new URL('.', import.meta.url))
const options = { rootDir, testDataDir: 'test/integration/runtime' }

// One test per step (specs and scripts), one per edge (compatibility), one for the whole flow.
describePipeline('pipeline.dag.json', options)

// Hand-written tests sit next to the generated ones: runScript runs one step the way the
// scripts tier does (spec inputs, fresh output folders) and returns a result the matchers read.
// toProduceOutputsFor checks that it wrote every output the downstream step's inputs are wired
// to. A hand-written test sets its own timeout: Vitest's 5 s default is short for a real script.
test('preprocessing writes everything stratified sampling reads', { timeout: 60_000 }, async () => {
  const result = await runScript('TabularPreprocessing_training', {
    ...options,
    dag: 'pipeline.dag.json',
  })
  expect(result).toRunSuccessfully()
  expect(result).toProduceOutputsFor('StratifiedSampling_training')
})
