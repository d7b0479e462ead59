import { fileURLToPath } from 'node:url'
import { describePipeline } from '@pipetest/vitest'

// Spec paths are relative to this folder, the example's project root.
const rootDir = fileURLToPath(new URL('.', import.meta.url))

describePipeline('pipeline.dag.json', { rootDir, testDataDir: 'test/integration/runtime' })
