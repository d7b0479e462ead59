/**
 * Source text of the synthetic pipeline steps. Every step follows the cursus contract
 * (Python `main(input_paths, output_paths, environ_vars, job_args)`, Node
 * `main({ inputPaths, outputPaths, environVars, jobArgs })`): it checks that each input holds
 * data (so a wrong wiring fails loudly instead of being timed), burns `job_args.iterations`
 * loop turns of CPU, writes one file into each output folder and, when `BENCH_MARKER_DIR`
 * is set, drops a marker file — its inputs and the CPU time the process has used, start-up
 * included — so executions can be counted, and their work summed, independently of pipetest.
 */

export const PYTHON_STEP = `"""pipetest bench step (generated)."""
import json
import os
import time


def _holds_data(path):
    if os.path.isfile(path):
        return os.path.getsize(path) > 0
    return any(files for _, _, files in os.walk(path))


def main(input_paths, output_paths, environ_vars, job_args):
    for name, path in input_paths.items():
        if not _holds_data(path):
            raise ValueError(f"input {name} at {path} holds no data")
    total = 0
    for i in range(int(getattr(job_args, "iterations", 0))):
        total += i * i
    for name, path in output_paths.items():
        os.makedirs(path, exist_ok=True)
        with open(os.path.join(path, "part-0.txt"), "w") as f:
            f.write(f"{name} {total}\\n")
    marker_dir = environ_vars.get("BENCH_MARKER_DIR")
    if marker_dir:
        marker = f"{environ_vars.get('BENCH_NODE', 'step')}.{os.getpid()}.{time.time_ns()}"
        times = os.times()
        with open(os.path.join(marker_dir, marker), "x") as f:
            json.dump({"inputPaths": input_paths, "cpuMs": (times.user + times.system) * 1000}, f)
`

export const NODE_STEP = `// pipetest bench step (generated).
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

function holdsData(path) {
  if (!existsSync(path)) return false
  const stat = statSync(path)
  if (stat.isFile()) return stat.size > 0
  return readdirSync(path, { recursive: true }).some((entry) => statSync(join(path, entry)).isFile())
}

export function main({ inputPaths, outputPaths, environVars, jobArgs }) {
  for (const [name, path] of Object.entries(inputPaths)) {
    if (!holdsData(path)) throw new Error(\`input \${name} at \${path} holds no data\`)
  }
  let total = 0
  for (let i = 0; i < Number(jobArgs.iterations ?? 0); i++) total = (total + i * i) % 1000003
  for (const [name, path] of Object.entries(outputPaths)) {
    mkdirSync(path, { recursive: true })
    writeFileSync(join(path, 'part-0.txt'), \`\${name} \${total}\\n\`)
  }
  const markerDir = environVars.BENCH_MARKER_DIR
  if (markerDir) {
    const marker = \`\${environVars.BENCH_NODE}.\${process.pid}.\${process.hrtime.bigint()}\`
    const { user, system } = process.cpuUsage()
    const cpuMs = (user + system) / 1000
    writeFileSync(join(markerDir, marker), JSON.stringify({ inputPaths, cpuMs }), { flag: 'wx' })
  }
}
`

/**
 * Writes \`job_args.megabytes\` MB to stdout and as much to stderr, in 64 kB lines, and one
 * output file; used by the memory measure (pipetest must stream this to disk, not buffer it).
 */
export const PYTHON_LOUD_STEP = `"""pipetest bench step that prints a lot (generated)."""
import os
import sys


def main(input_paths, output_paths, environ_vars, job_args):
    line = "x" * (64 * 1024 - 1) + "\\n"
    for _ in range(int(job_args.megabytes) * 16):
        sys.stdout.write(line)
        sys.stderr.write(line)
    sys.stdout.flush()
    sys.stderr.flush()
    for name, path in output_paths.items():
        os.makedirs(path, exist_ok=True)
        with open(os.path.join(path, "part-0.txt"), "w") as f:
            f.write("done\\n")
`
