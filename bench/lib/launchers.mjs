import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { runOk } from './processes.mjs'

/**
 * The baselines of the runner-overhead measure: the least a person would write by hand to
 * run one script's `main` in a child process — import the file, call `main` with the four
 * contract arguments, nothing else (no signature check, no result protocol, no log files).
 * pipetest's runners are measured against these.
 */

export const PYTHON_LAUNCHER = [
  'import argparse, importlib.util, json, sys',
  'a = json.loads(sys.argv[2])',
  "s = importlib.util.spec_from_file_location('step', sys.argv[1])",
  'm = importlib.util.module_from_spec(s)',
  's.loader.exec_module(m)',
  "m.main(a['inputPaths'], a['outputPaths'], a['environVars'], argparse.Namespace(**a['jobArgs']))",
].join('\n')

/**
 * The same Python launcher for a shell loop or `xargs`: `python -c SHELL_PYTHON_LAUNCHER
 * SCRIPT INPUT OUTPUT_DIR`, one input (`data`) and one output (`out`, created fresh), no
 * environment variables or job arguments. Creating the output folder is part of its work,
 * as it is of pipetest's.
 */
export const SHELL_PYTHON_LAUNCHER = [
  'import argparse, importlib.util, os, sys',
  'script, data, out = sys.argv[1:4]',
  'os.makedirs(out)',
  "s = importlib.util.spec_from_file_location('step', script)",
  'm = importlib.util.module_from_spec(s)',
  's.loader.exec_module(m)',
  "m.main({'data': data}, {'out': out}, {}, argparse.Namespace())",
].join('\n')

const NODE_LAUNCHER = [
  'const [script, json] = process.argv.slice(1)',
  "import(require('node:url').pathToFileURL(script).href).then((m) => m.main(JSON.parse(json)))",
].join('\n')

/**
 * Runs `scriptPath`'s main once through the hand-written launcher, with `python` (or `node`)
 * as interpreter, in `cwd`; output folders are created fresh under `outputRoot` as pipetest
 * creates them for each execution.
 */
export async function launchByHand({
  runner,
  scriptPath,
  python,
  cwd,
  inputPaths,
  outputRoot,
  environVars = {},
  jobArgs = {},
}) {
  mkdirSync(outputRoot, { recursive: true })
  const outputPaths = { out: join(outputRoot, 'out') }
  mkdirSync(outputPaths.out)
  const args = JSON.stringify({ inputPaths, outputPaths, environVars, jobArgs })
  // In its own session, as pipetest starts every script (to kill its process tree): with
  // the kernel's autogroup scheduling a new session is also a new CPU-share group, so on a
  // busy machine launching the baseline any other way would handicap it.
  const options = { cwd, detached: true }
  if (runner === 'python') {
    await runOk(python, ['-c', PYTHON_LAUNCHER, scriptPath, args], options)
  } else {
    await runOk(process.execPath, ['-e', NODE_LAUNCHER, scriptPath, args], options)
  }
}
