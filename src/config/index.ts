export { CONFIG_FILE, peekProjectConfig } from './config-file.js'
export { loadProjectConfig, withProjectConfig, type ProjectConfig } from './project-config.js'
