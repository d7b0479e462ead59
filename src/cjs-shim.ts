import { pathToFileURL } from 'node:url'

/**
 * `import.meta.url` in the CommonJS build (tsup.config.ts injects this for it): the URL of the
 * built file that reads it, made by Node, so a `#`, `%` or space in the install path is escaped.
 */
export const importMetaUrl = pathToFileURL(__filename).href
