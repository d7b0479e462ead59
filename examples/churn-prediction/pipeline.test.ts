import { fileURLToPath } from 'node:url'
import { describePipeline } from '@pipetest/vitest'

// pipetest.config.json in this folder holds the test data dir and the timeout, so the test
// file only says where the project is. The specs were written by `pipetest init` from the
// scripts' code; only the source step's input data was set by hand (see the README).
describePipeline('pipeline.dag.json', { rootDir: fileURLToPath(new URL('.', import.meta.url)) })
