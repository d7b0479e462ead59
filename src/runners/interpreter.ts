import { createHash } from 'node:crypto'
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs'
import { delimiter, isAbsolute, join, resolve } from 'node:path'
import { PipetestError } from '../errors.js'
import { writeFileAtomic } from '../files/atomic-write.js'
import { compiledHarnessStem, harnessCacheDir } from './harness-cache.js'
import { harnessPath, packagePath } from './harness.js'
import { probeProcess } from './process.js'

/** The oldest Python the harness is written for. */
const MIN_PYTHON: readonly [number, number] = [3, 8]
const PROBE_TIMEOUT_MS = 30_000
/**
 * Prints the real executable and the version, then makes sure each compiled file exists and
 * loads (argv: cache folder or "", then a source and its file stem for each of {@link
 * SHIPPED}) and prints its path, or "" when it cannot be had. py_compile writes atomically,
 * so concurrent probes cannot tear a file; one damaged otherwise (a full disk, a hand edit)
 * is compiled again, not run.
 */
const PROBE_SCRIPT = `import os, sys
print(sys.executable)
print("%d.%d" % sys.version_info[:2])
folder = sys.argv[1]
tag = getattr(getattr(sys, "implementation", None), "cache_tag", None)
def loads(path):
    try:
        import importlib.util, marshal
        with open(path, "rb") as handle:
            data = handle.read()
        return data[:4] == importlib.util.MAGIC_NUMBER and marshal.loads(data[16:]) is not None
    except Exception:
        return False
for source, stem in zip(sys.argv[2::2], sys.argv[3::2]):
    compiled = os.path.join(folder, stem + "." + tag + ".pyc") if folder and tag else ""
    if compiled and not loads(compiled):
        try:
            import py_compile
            py_compile.compile(source, cfile=compiled, dfile=source, doraise=True)
        except Exception:
            compiled = ""
    print(compiled)
`

/**
 * The configured Python cannot be used: `shortMessage` says why, `hint` how to pick another;
 * `message` reads them as one sentence after the other.
 */
export class InterpreterNotFoundError extends PipetestError {
  constructor(
    readonly interpreter: string,
    reason: string,
  ) {
    super('INTERPRETER_NOT_FOUND', reason, {
      hint: 'Install it, or choose another interpreter: the --python option, the run option "python", or the "python" field of the script\'s spec (e.g. "python": "/usr/bin/python3").',
      separator: ' ',
    })
  }
}

/**
 * The Python files pipetest ships, each as the file to run: compiled (`.pyc`) when it could
 * be cached, else the shipped source.
 */
export interface PythonFiles {
  /** python_harness.py: runs one script (every execution, spawned or forked). */
  harness: string
  /** python_worker.py: the preloading worker (see python-worker.ts). */
  worker: string
  /** extract_contract.py: the worker reads what each script imports with it. */
  contractReader: string
}

/**
 * Python compiles a file it runs or loads by path from source every time unless its bytecode
 * is cached, which PYTHONDONTWRITEBYTECODE (common in containers) forbids beside the source:
 * ~15 ms of compiling at each worker start, and ~4 ms at each spawned execution.
 */
const SHIPPED: Record<keyof PythonFiles, () => string> = {
  harness: () => harnessPath('python_harness.py'),
  worker: () => harnessPath('python_worker.py'),
  contractReader: () => packagePath('src', 'contract', 'extract_contract.py'),
}

/** The shipped sources, for a Python not probed yet. */
export function shippedPythonFiles(): PythonFiles {
  return {
    harness: SHIPPED.harness(),
    worker: SHIPPED.worker(),
    contractReader: SHIPPED.contractReader(),
  }
}

/** A usable Python: the executable to start and the files to give it. */
export interface PythonInstallation extends PythonFiles {
  executable: string
}

const resolved = new Map<string, Promise<PythonInstallation>>()

/**
 * The real executable behind a configured Python name, found once per process and name.
 * A pyenv or asdf shim costs about 0.1 s per start (it is itself a script that picks a
 * version); asking the interpreter for `sys.executable` once and starting that directly
 * removes the cost from every execution. A virtualenv's `bin/python` reports itself, so the
 * environment is kept. Rejects with {@link InterpreterNotFoundError} when the name cannot
 * run or is older than Python 3.8.
 *
 * @example
 *   await resolvePython('python3') // '/home/me/.pyenv/versions/3.11.7/bin/python3'
 */
export async function resolvePython(python: string): Promise<string> {
  return (await resolvePythonInstallation(python)).executable
}

/**
 * {@link resolvePython}, plus the harness to run with it: the same probe compiles the harness
 * once per harness version and Python (see harness-cache.ts), so no execution pays for it.
 */
export function resolvePythonInstallation(python: string): Promise<PythonInstallation> {
  let installation = resolved.get(python)
  if (!installation) {
    installation = probePython(python)
    resolved.set(python, installation)
    // The engine hands the resolved executable on to the runner: answer it without a probe.
    void installation.then(
      (found) => {
        if (!resolved.has(found.executable)) resolved.set(found.executable, installation!)
      },
      () => undefined,
    )
  }
  return installation
}

/**
 * The probe of `python` without the per-process memo: recalled from its record when one is
 * valid (see {@link ProbeRecord}), else run — and recorded when `python` is a native binary.
 * `cacheBase` is where the private cache folder is made (the system's temp folder).
 */
export async function probePython(python: string, cacheBase?: string): Promise<PythonInstallation> {
  const sources = shippedPythonFiles()
  const cacheDir = harnessCacheDir(cacheBase) ?? ''
  const stems = cacheDir ? stemsOf(sources) : undefined
  const binary = cacheDir ? evidentExecutable(python) : undefined
  const record = binary === undefined ? undefined : probeRecordOf(binary, cacheDir, stems!)
  if (record) {
    const recalled = recallProbe(record)
    if (recalled) return recalled
  }
  const installation = await runProbe(python, sources, cacheDir, stems)
  if (record?.stamp !== undefined) {
    try {
      const { binary: kept, stamp } = record
      const fileStamps = FILE_KEYS.map((key) => fileStamp(installation[key]))
      writeFileAtomic(
        record.file,
        JSON.stringify({ binary: kept, stamp, ...installation, fileStamps }),
        { durable: false },
      )
    } catch {
      // A record that cannot be written costs the next process a probe, nothing else.
    }
  }
  return installation
}

/**
 * The compiled files a probe record has for a native binary, without running a probe; the
 * shipped sources when there is no valid record. The worker can then start compiled while
 * the engine is still resolving the interpreter.
 */
export function recalledPythonFiles(binary: string, cacheBase?: string): PythonFiles {
  const cacheDir = harnessCacheDir(cacheBase)
  const sources = shippedPythonFiles()
  if (!cacheDir) return sources
  const recalled = recallProbe(probeRecordOf(binary, cacheDir, stemsOf(sources)))
  if (!recalled) return sources
  const { harness, worker, contractReader } = recalled
  return { harness, worker, contractReader }
}

const FILE_KEYS = ['harness', 'worker', 'contractReader'] as const

function stemsOf(sources: PythonFiles): string[] {
  return FILE_KEYS.map((key) => compiledHarnessStem(sources[key]))
}

/**
 * A probe's answer for a native binary, kept beside the compiled harness (in the same private
 * folder, so nobody else can plant one) for later processes: each `pipetest` command and each
 * Vitest or Jest worker otherwise starts Python once just to ask it (~45 ms). It is used only
 * while the binary is the same file — device, inode, size, modification and change times, taken
 * before the probe ran — and its compiled harness is the file the probe checked (same stamp: a
 * damaged or hand-edited one is probed, and so compiled, again); the file name covers the binary's
 * path and the versions of the shipped files. A shim is probed every time: which Python it starts depends on
 * the folder and the environment.
 */
interface ProbeRecord {
  file: string
  binary: string
  stamp: string | undefined
}

function probeRecordOf(binary: string, cacheDir: string, stems: string[]): ProbeRecord {
  const digest = createHash('sha256')
    .update([binary, ...stems].join('\0'))
    .digest('hex')
  return {
    file: join(cacheDir, `probe-${digest.slice(0, 16)}.json`),
    binary,
    stamp: fileStamp(binary),
  }
}

function fileStamp(file: string): string | undefined {
  try {
    const stats = statSync(file)
    return [stats.dev, stats.ino, stats.size, stats.mtimeMs, stats.ctimeMs].join(':')
  } catch {
    return undefined
  }
}

function recallProbe(record: ProbeRecord): PythonInstallation | undefined {
  if (record.stamp === undefined) return undefined
  try {
    const kept = JSON.parse(readFileSync(record.file, 'utf8')) as Record<string, unknown>
    const { executable, harness, worker, contractReader, fileStamps } = kept
    const files = [harness, worker, contractReader]
    const valid =
      kept.binary === record.binary &&
      kept.stamp === record.stamp &&
      typeof executable === 'string' &&
      files.every((file) => typeof file === 'string') &&
      Array.isArray(fileStamps) &&
      files.every((file, index) => fileStamps[index] === fileStamp(file as string))
    return valid
      ? {
          executable,
          harness: harness as string,
          worker: worker as string,
          contractReader: contractReader as string,
        }
      : undefined
  } catch {
    return undefined
  }
}

async function runProbe(
  python: string,
  sources: PythonFiles,
  cacheDir: string,
  stems: string[] | undefined,
): Promise<PythonInstallation> {
  const files = FILE_KEYS.flatMap((key, index) => [sources[key], stems?.[index] ?? ''])
  const probe = await probeProcess(python, ['-c', PROBE_SCRIPT, cacheDir, ...files], {
    timeoutMs: PROBE_TIMEOUT_MS,
  })
  const quoted = JSON.stringify(python)
  if (probe.spawnError === 'ENOENT') {
    throw new InterpreterNotFoundError(python, `Python interpreter ${quoted} not found.`)
  }
  if (probe.spawnError) {
    throw new InterpreterNotFoundError(
      python,
      `Python interpreter ${quoted} cannot be started (${probe.spawnError}).`,
    )
  }
  if (probe.timedOut) {
    throw new InterpreterNotFoundError(
      python,
      `Python interpreter ${quoted} did not answer within ${PROBE_TIMEOUT_MS / 1000} s.`,
    )
  }
  const [executable = '', version = '', ...compiled] = probe.stdout.trim().split(/\r?\n/)
  // The version comes first: an old Python prints it, then fails on what it lacks (2.7 has
  // no sys.implementation), and that is worth saying rather than its traceback.
  if (/^\d+\.\d+$/.test(version)) {
    const [major = 0, minor = 0] = version.split('.').map(Number)
    if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
      const where = executable.trim() || python
      throw new InterpreterNotFoundError(
        python,
        `pipetest needs Python ≥ ${MIN_PYTHON.join('.')}; found ${version} at ${where}${where === python ? '' : ` (the interpreter ${quoted})`}.`,
      )
    }
  }
  if (probe.exitCode !== 0 || !/^\d+\.\d+$/.test(version)) {
    const detail = probe.stderr.trim().split(/\r?\n/)[0] || `exit code ${String(probe.exitCode)}`
    throw new InterpreterNotFoundError(
      python,
      `Python interpreter ${quoted} does not work: ${detail}.`,
    )
  }
  const file = (key: keyof PythonFiles, index: number) => {
    const path = compiled[index]?.trim()
    return path && existsSync(path) ? path : sources[key]
  }
  return {
    // An embedded or odd build may not know its own path; the name still works then.
    executable: executable.trim() || python,
    harness: file('harness', 0),
    worker: file('worker', 1),
    contractReader: file('contractReader', 2),
  }
}

/**
 * The executable `python` names when that is plain to see without starting it: the file it
 * is (a path) or the first one on the PATH, provided it is a native binary. Python reports
 * such a file as its own `sys.executable`, so the preloading worker can start with it while
 * the probe runs. A script (a pyenv or asdf shim, which picks a version) or anything unusual:
 * undefined, and only the probe can tell.
 */
export function evidentExecutable(python: string): string | undefined {
  const candidates = python.includes('/')
    ? [resolve(python)]
    : (process.env.PATH ?? '')
        .split(delimiter)
        .filter((folder) => isAbsolute(folder))
        .map((folder) => join(folder, python))
  for (const candidate of candidates) {
    const head = readHead(candidate)
    if (head === undefined) continue
    // The first match is what the probe runs too; only a native binary is plain to see.
    return head.equals(Buffer.from('\x7fELF', 'latin1')) ? candidate : undefined
  }
  return undefined
}

function readHead(file: string): Buffer | undefined {
  let fd: number | undefined
  try {
    fd = openSync(file, 'r')
    const head = Buffer.alloc(4)
    return readSync(fd, head, 0, 4, 0) === 4 ? head : undefined
  } catch {
    return undefined
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}
