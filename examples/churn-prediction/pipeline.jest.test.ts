import { describePipeline } from '@pipetest/jest'

// The same pipeline under Jest; pipetest.config.json next to this file configures it.
describePipeline('pipeline.dag.json', { rootDir: __dirname })
