import { mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { launchByHand } from './launchers.mjs'

/**
 * The hand-written counterpart of a pipetest flow: every node of a generated pipeline through
 * the hand-written launcher, `concurrency` at a time, each as soon as its parents are done,
 * its inputs pointing at the parents' output folders. No workspace bookkeeping, no harness,
 * no result objects — the least a scheduler can do. Every step drops a marker with the CPU
 * time its process used, from which the ideal schedule is computed.
 */
export async function runFlowByHand({ pipeline, python, iterations, concurrency, workDir }) {
  const { shape, root } = pipeline
  const markerDir = join(workDir, 'markers')
  mkdirSync(markerDir, { recursive: true })
  const parentsOf = new Map(shape.nodes.map((node) => [node, []]))
  for (const [from, to] of shape.edges) parentsOf.get(to).push(from)
  const outputOf = (node) => join(workDir, node, 'out')
  const done = new Set()
  const started = new Set()

  await new Promise((resolve, reject) => {
    let running = 0
    const startReady = () => {
      if (done.size === shape.nodes.length) return resolve()
      for (const node of shape.nodes) {
        if (running >= concurrency) return
        if (started.has(node) || !parentsOf.get(node).every((parent) => done.has(parent))) continue
        started.add(node)
        running++
        const parents = parentsOf.get(node)
        const inputPaths =
          parents.length === 0
            ? { data: join(root, pipeline.specs[node].inputPaths.data) }
            : Object.fromEntries(parents.map((parent) => [`out_${parent}`, outputOf(parent)]))
        const script = readdirSync(join(root, 'scripts')).find((file) =>
          file.startsWith(`${node}.`),
        )
        launchByHand({
          runner: script.endsWith('.mjs') ? 'node' : 'python',
          python,
          scriptPath: join(root, 'scripts', script),
          cwd: root,
          inputPaths,
          outputRoot: join(workDir, node),
          environVars: { BENCH_NODE: node, BENCH_MARKER_DIR: markerDir },
          jobArgs: { iterations },
        }).then(() => {
          running--
          done.add(node)
          startReady()
        }, reject)
      }
    }
    startReady()
  })

  const cpuMs = {}
  for (const marker of readdirSync(markerDir)) {
    cpuMs[marker.split('.')[0]] = JSON.parse(readFileSync(join(markerDir, marker), 'utf8')).cpuMs
  }
  return cpuMs
}

/**
 * The shortest possible wall time for a DAG whose node `n` costs `cost[n]` of CPU on
 * `cores` cores: the total work spread over every core, or the longest dependency chain,
 * whichever is longer.
 */
export function idealSchedule(shape, cost, cores) {
  const parentsOf = new Map(shape.nodes.map((node) => [node, []]))
  for (const [from, to] of shape.edges) parentsOf.get(to).push(from)
  const finish = new Map()
  const finishOf = (node) => {
    if (!finish.has(node)) {
      finish.set(node, cost[node] + Math.max(0, ...parentsOf.get(node).map(finishOf)))
    }
    return finish.get(node)
  }
  const total = shape.nodes.reduce((sum, node) => sum + cost[node], 0)
  const criticalPath = Math.max(...shape.nodes.map(finishOf))
  return { total, criticalPath, ideal: Math.max(total / cores, criticalPath) }
}
