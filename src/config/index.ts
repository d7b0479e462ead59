export {
  CONFIG_FILE,
  loadProjectConfig,
  withProjectConfig,
  type ProjectConfig,
} from './project-config.js'
