/**
 * pipetest — test data/ML pipelines by running their real scripts.
 *
 * The core: DAG and spec models, the spec builder, the execution engine and framework-free
 * matchers. The Vitest and Jest adapters (`@pipetest/vitest`, `@pipetest/jest`) are thin
 * layers over what is exported here.
 */
export { PipetestError, isPipetestError, type PipetestErrorCode } from './errors.js'
export * from './dag/index.js'
export * from './spec/index.js'
export * from './builder/index.js'
export type * from './engine/results.js'
export * from './suite/index.js'
export * from './matchers/index.js'
export * from './engine/index.js'
export * from './data/index.js'
export * from './report/index.js'
