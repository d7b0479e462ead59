/**
 * Child process of the memory measure: runs one node's script tier through pipetest and
 * prints, as JSON on its last stdout line, the result and this process's peak resident set
 * (VmHWM). Run as its own process so that the peak belongs to a pipetest run and nothing else.
 *
 *   node memory-probe.mjs <projectRoot> <testDataDir> <node>
 */
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { assertAllPassed, buildPipelineSpec, loadPipetest } from './pipetest.mjs'

const [root, testDataDir, node] = process.argv.slice(2)
const pipetest = await loadPipetest()
const spec = buildPipelineSpec(pipetest, {
  root,
  testDataDir,
  dagFile: join(root, 'pipeline.dag.json'),
})
const run = new pipetest.PipelineRun(spec)
const result = await run.testScript(node)
await run.close()
assertAllPassed('memory probe', [result])
const status = readFileSync('/proc/self/status', 'utf8')
const vmHwmKb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1])
const size = (file) => (file ? statSync(file).size : null)
console.log(
  JSON.stringify({
    vmHwmKb,
    stdoutLog: result.logs.stdout,
    stderrLog: result.logs.stderr,
    stdoutBytes: size(result.logs.stdout),
    stderrBytes: size(result.logs.stderr),
  }),
)
