/**
 * `pipetest/internal`: what the adapters (`@pipetest/vitest`, `@pipetest/jest`) share with the
 * core and users do not need. Not documented, not stable; see ARCHITECTURE.md.
 */
export { writeFileAtomic } from './files/atomic-write.js'
export { hashOf, readRecords, writeRecord } from './files/record-folder.js'
export { loadProjectConfig } from './config/index.js'
export { declarePipelineTests, planPipelineTests, type TestFramework } from './suite/declare.js'
export { verdictError } from './suite/user-error.js'
