// pipetest's Node harness: runs one module's exported main() in this (child) process.
//
// Usage: node node_harness.mjs REQUEST_JSON
//
// REQUEST_JSON holds script_path, input_paths, output_paths, environ_vars, job_args and
// result_file. The module (ES or CommonJS) is imported by file URL and its exported `main`
// (or `default.main`, CommonJS interop) is called with
// { inputPaths, outputPaths, environVars, jobArgs }; it may be sync or async.
//
// The verdict (success, import-error, no-main, exception, exit) is written as JSON to
// result_file rather than printed: whatever the script prints cannot corrupt it.
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { basename } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { inspect } from 'node:util'

const harnessFile = fileURLToPath(import.meta.url)
const request = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const scriptFile = basename(request.script_path)

/** 'loading' → 'running' (main called) → 'done' (main settled). */
let phase = 'loading'
let reported = false

function report(outcome, message, extra = {}) {
  reported = true
  // Rename into place so the parent never reads half a result.
  const partial = `${request.result_file}.partial`
  writeFileSync(partial, JSON.stringify({ outcome, message, ...extra }))
  renameSync(partial, request.result_file)
}

function say(message) {
  process.stderr.write(`pipetest: ${message}\n`)
}

function describe(value) {
  if (value instanceof Error) return `${value.name}: ${value.message}`
  return inspect(value, { depth: 2, breakLength: Infinity })
}

/** The stack without the harness's own frames: only the user's code. */
function stackOf(value) {
  if (!(value instanceof Error) || typeof value.stack !== 'string') return undefined
  return value.stack
    .split('\n')
    .filter((line) => !line.includes(harnessFile) && !line.includes(import.meta.url))
    .join('\n')
}

function fail(outcome, message, error) {
  const traceback = stackOf(error)
  process.stderr.write(`${traceback ?? message}\n`)
  report(outcome, message, traceback ? { traceback } : {})
  process.exitCode = 1
}

// Does not change Node's handling (the process still dies); it only records why.
process.on('uncaughtExceptionMonitor', (error, origin) => {
  const what =
    origin === 'unhandledRejection' ? 'unhandled promise rejection' : 'uncaught exception'
  const when =
    phase === 'loading'
      ? `importing ${scriptFile} failed: `
      : phase === 'done'
        ? 'after main() returned, '
        : 'main() failed: '
  const traceback = stackOf(error)
  report(
    phase === 'loading' ? 'import-error' : 'exception',
    `${when}${what} ${describe(error)}`,
    traceback ? { traceback } : {},
  )
})

// The event loop emptied while the import or main()'s promise was still pending: it can
// never settle now.
process.on('beforeExit', () => {
  if (reported || phase === 'done') return
  const message =
    phase === 'loading'
      ? `importing ${scriptFile} never finished (a top-level await that never settles)`
      : 'main() returned a promise that never settled (nothing was left to run)'
  say(message)
  report(phase === 'loading' ? 'import-error' : 'exception', message)
  process.exitCode = 1
})

// process.exit() called by the script, before or inside main().
process.on('exit', (code) => {
  if (reported) return
  if (phase === 'loading') {
    report(
      'import-error',
      `importing ${scriptFile} called process.exit(${code}), so main() never ran`,
      { exit_code: code },
    )
  } else {
    report('exit', `main() called process.exit(${code})`, { exit_code: code })
  }
})

async function run() {
  Object.assign(process.env, request.environ_vars)
  // The script sees itself as the program, not the harness and its request file.
  process.argv = [process.argv[0], request.script_path]

  let module
  try {
    module = await import(pathToFileURL(request.script_path).href)
  } catch (error) {
    fail('import-error', `importing ${scriptFile} failed: ${describe(error)}`, error)
    return
  }
  const main = typeof module.main === 'function' ? module.main : module.default?.main
  if (typeof main !== 'function') {
    const found = module.main ?? module.default?.main
    const exports = Object.keys(module)
    const message =
      found === undefined
        ? `${scriptFile} exports no main() function (exports: ${exports.join(', ') || 'none'})`
        : `${scriptFile} exports main, but it is a ${typeof found}, not a function`
    say(message)
    report('no-main', message)
    process.exitCode = 1
    return
  }

  phase = 'running'
  let returned
  try {
    returned = main({
      inputPaths: { ...request.input_paths },
      outputPaths: { ...request.output_paths },
      environVars: { ...request.environ_vars },
      jobArgs: { ...request.job_args },
    })
  } catch (error) {
    phase = 'done'
    fail('exception', `main() threw ${describe(error)}`, error)
    return
  }
  try {
    await returned
  } catch (error) {
    phase = 'done'
    fail('exception', `main() rejected with ${describe(error)}`, error)
    return
  }
  phase = 'done'
  report('success', 'main() returned')
}

void run()
