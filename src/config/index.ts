export {
  CONFIG_FILE,
  loadProjectConfig,
  withProjectConfig,
  type ConfigurableOptions,
  projectConfigSchema,
  type ProjectConfig,
  type ProjectConfigFile,
} from './project-config.js'
