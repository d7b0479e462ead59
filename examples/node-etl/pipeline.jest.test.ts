import { describePipeline } from '@pipetest/jest'

// The same pipeline under Jest: one test per step, per edge, and one for the whole flow.
// Spec paths are relative to this folder, the example's project root.
describePipeline('pipeline.dag.json', {
  rootDir: __dirname,
  testDataDir: 'test/integration/runtime',
})
