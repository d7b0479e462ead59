export { changedFilesSince, type GitChanges } from './git.js'
export {
  affectedNodes,
  changedNodesSince,
  nodeSources,
  type AffectedNodes,
  type ChangedNode,
  type ChangedOptions,
} from './affected.js'
