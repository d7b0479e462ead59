import { resolve } from 'node:path'
import { holdsNoEntry } from '../cache/layout.js'
import { cacheOffByEnv, defaultCacheDir } from '../cache/settings.js'
import { peekProjectConfig, type ConfigPeek } from '../config/config-file.js'
import { declaredScripts } from '../dag/declared-scripts.js'
import { DEFAULT_PYTHON } from '../engine/run-options.js'
import { prewarmPython, scriptsToPreload } from '../runners/index.js'
import { flag, stringOption, type CliContext, type OptionValues } from './command.js'
import { projectFolders } from './project-options.js'

/**
 * What `pipetest run` starts before it has loaded the engine and read the specs (~60 ms of
 * every run): the preloading Python worker of the project's interpreter, importing the
 * libraries of the Python scripts the DAG file names. The worker's start and its imports then
 * overlap Node's, instead of following them; the run's own prewarm (engine/pipeline-run.ts)
 * finds it running. Everything here is read without the schemas (whose zod costs ~15 ms to
 * load): a hint, which the run checks when it reads the project for real.
 *
 * Only where the run is sure to execute Python: with the execution cache off or holding
 * nothing yet (a run the cache serves whole starts no interpreter; a first run, a CI job
 * without a kept cache are served nothing), without `--changed` (which may select nothing),
 * and when the DAG names at least two Python scripts (for one, the worker does not pay for
 * itself). What the specs then say (another interpreter or runner, `"isolation": "fresh"`)
 * at worst leaves this worker unused; it only ever imports third-party modules. Returns the
 * scripts it asked each interpreter's worker to prepare (empty: it started none).
 */
export function startPythonEarly(
  values: OptionValues,
  dagArg: string | undefined,
  ctx: Pick<CliContext, 'cwd' | 'env'>,
): Map<string, string[]> {
  const none = new Map<string, string[]>()
  if (stringOption(values, 'changed') !== undefined) return none
  const config = peekProjectConfig(ctx.cwd, ctx.env)
  const cacheOff = flag(values, 'no-cache') || config.cacheOff || cacheOffByEnv(ctx.env)
  if (!cacheOff && !holdsNoEntry(cacheDirOf(values, config, ctx.cwd))) return none
  const dagFile = dagArg === undefined ? config.dag : resolve(ctx.cwd, dagArg)
  if (dagFile === undefined) return none
  const python = stringOption(values, 'python') || config.python || DEFAULT_PYTHON
  const scriptsOf = scriptsToPreload(
    declaredScripts(dagFile).map((scriptPath) => ({ scriptPath })),
    python,
  )
  if ([...scriptsOf.values()].flat().length < 2) return none
  for (const [interpreter, scripts] of scriptsOf) void prewarmPython(interpreter, scripts)
  return scriptsOf
}

/** The execution cache's folder, found as the project and the engine find it. */
function cacheDirOf(values: OptionValues, config: ConfigPeek, cwd: string): string {
  const { rootDir, testDataDir } = projectFolders(values, config, cwd)
  return config.cacheDir ?? defaultCacheDir(resolve(rootDir, testDataDir))
}
