/**
 * What the layers above the engine may know of the runners (ARCHITECTURE.md: suite and
 * matchers reach the runners only through the engine): which runner a spec selects, and
 * whether the process that started this one is gone.
 */
export { selectRunner } from '../runners/index.js'
export { parentGone } from '../runners/parent-channel.js'
