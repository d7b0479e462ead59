import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { isRecord } from '../files/json.js'

/**
 * The scripts a DAG file's nodes name (`{"name": …, "script": …}`), absolute, read without
 * the DAG schema (which loads zod, ~15 ms): a hint for what a command starts before it loads
 * the DAG for real — `pipetest run`'s Python worker. A file that cannot be read, or nodes
 * the schema would refuse, give fewer scripts or none; loading the DAG says what is wrong.
 */
export function declaredScripts(dagFile: string): string[] {
  let json: unknown
  try {
    json = JSON.parse(readFileSync(dagFile, 'utf8'))
  } catch {
    return []
  }
  const nodes = isRecord(json) && Array.isArray(json.nodes) ? (json.nodes as unknown[]) : []
  return nodes.flatMap((node) =>
    isRecord(node) && typeof node.script === 'string' && node.script !== ''
      ? [resolve(dirname(dagFile), node.script)]
      : [],
  )
}
