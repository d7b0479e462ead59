export {
  changedNodesSince,
  nodeSources,
  type AffectedNodes,
  type ChangedOptions,
} from './affected.js'
