import { chmodSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { execa } from 'execa'
import { describe, expect } from 'vitest'
import { PipelineTestingSpecBuilder } from '../../src/index.js'
import { PipelineRun } from '../../src/engine/index.js'
import {
  MARK_VAR,
  childEnv,
  cliJs,
  distReady,
  expectNoProcessLeft,
  hashTree,
  makeVitestProject,
  repoRoot,
  runFolders,
  runStepRow,
  it,
  test,
  vitestMjs,
  type SpecFields,
  type NewProject,
  type TempProject,
} from './helpers.js'

/**
 * Fault matrix, security rows: no shell anywhere between a spec and a process — arguments with
 * spaces, quotes, `$()`, backticks and `;` reach the script literally and nothing they spell
 * is executed — and projects whose folders, DAG file and spec files have spaces and non-ASCII
 * names work end to end (library, CLI and Vitest).
 */

test.beforeAll(distReady)

/** Strings a shell would expand, split, glob or run; each must arrive unchanged. */
const HOSTILE = [
  'two words',
  '"double quoted"',
  "'single quoted'",
  '$(touch PWNED_SUBSHELL)',
  '`touch PWNED_BACKTICK`',
  '; touch PWNED_SEMICOLON',
  '&& touch PWNED_AND',
  '| tee PWNED_PIPE',
  '> PWNED_REDIRECT',
  '$HOME $PATH',
  '*',
  'back\\slash',
  'new\nline',
  '',
]

/** Files the hostile strings would create if a shell ever saw them. */
function pwned(project: TempProject): string[] {
  return Object.keys({ ...hashTree(project.root), ...hashTree(project.scratch) }).filter((key) =>
    key.includes('PWNED'),
  )
}

/** `Step` runs fixture `script` (no inputs); the project's files are as they were. */
async function runStep(
  project: TempProject,
  script: string,
  fields: Partial<SpecFields>,
  prepare?: (project: TempProject) => void,
) {
  const { result, before } = await runStepRow(project, script, fields, prepare, { input: null })
  expect(project.snapshot()).toEqual(before)
  return result
}

describe('security: no shell in process launching', () => {
  it('command runner: every argv element of the template reaches the program literally', async ({
    project,
  }) => {
    const tricky = 'x; rm -rf "$TMPDIR" $(echo hi) `id`'
    const result = await runStep(project, 'argv_to_json.mjs', {
      jobArgs: { tricky },
      extra: {
        runner: 'command',
        command: ['node', '{script}', ...HOSTILE, '{arg:tricky}', '--out={output:data_output}'],
      },
    })
    expect(result.outcome, result.message).toBe('success')
    const argv = JSON.parse(
      readFileSync(join(result.outputs[0]!.path, 'argv.json'), 'utf8'),
    ) as string[]
    expect(argv).toEqual([...HOSTILE, tricky, `--out=${result.outputs[0]!.path}`])
    expect(pwned(project)).toEqual([])
    await expectNoProcessLeft(project)
  })

  it('command runner without a template: job args become --flags, values passed literally', async ({
    project,
  }) => {
    const result = await runStep(
      project,
      'argv_to_json.mjs',
      {
        jobArgs: {
          name: 'a b; $(touch PWNED_FLAG)',
          quote: `it's "quoted" \`touch PWNED_TICK\``,
          verbose: true,
          dry_run: false,
          list: [1, 'two words'],
        },
        extra: { runner: 'command' },
      },
      () => chmodSync(project.path('scripts', 'argv_to_json.mjs'), 0o755),
    )
    expect(result.outcome, result.message).toBe('success')
    const argv = JSON.parse(
      readFileSync(join(result.outputs[0]!.path, 'argv.json'), 'utf8'),
    ) as string[]
    expect(argv).toEqual([
      '--name',
      'a b; $(touch PWNED_FLAG)',
      '--quote',
      `it's "quoted" \`touch PWNED_TICK\``,
      '--verbose',
      '--list',
      '[1,"two words"]',
    ])
    expect(pwned(project)).toEqual([])
    await expectNoProcessLeft(project)
  })

  it('python runner: job args, env vars and input paths reach main() unchanged', async ({
    project,
  }) => {
    const input = project.write('data/in $(touch PWNED_PATH); ü/records.csv', 'id\n1\n')
    const jobArgs = Object.fromEntries(HOSTILE.map((value, i) => [`arg${i}`, value]))
    const env = { WEIRD: '$(touch PWNED_ENV); echo `id` "$HOME"', UNICODE: 'naïve 数据 🚀' }
    const result = await runStep(project, 'echo_params.py', {
      inputs: { data_input: input },
      env,
      jobArgs,
    })
    expect(result.outcome, result.message).toBe('success')
    const seen = JSON.parse(
      readFileSync(join(result.outputs[0]!.path, 'seen.json'), 'utf8'),
    ) as Record<string, Record<string, unknown>>
    expect(seen.job_args).toEqual(jobArgs)
    expect(seen.environ_vars).toMatchObject(env)
    expect(seen.os_environ).toMatchObject(env)
    expect(seen.input_paths).toEqual({ data_input: input })
    expect(seen.inputs_exist).toEqual({ data_input: true })
    expect(pwned(project).filter((key) => !key.includes('data/in $(touch PWNED_PATH)'))).toEqual([])
    await expectNoProcessLeft(project)
  })

  it('the sources start processes only with argument arrays: no shell option, no exec, no os.system', () => {
    const files: string[] = []
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry)
        if (entry === '__pycache__') continue
        if (statSync(path).isDirectory()) walk(path)
        else if (/\.(ts|mts|cts|mjs|cjs|js|py)$/.test(entry)) files.push(path)
      }
    }
    for (const dir of ['src', 'packages/vitest/src', 'packages/jest/src']) walk(join(repoRoot, dir))
    const forbidden: Array<[RegExp, string]> = [
      [/\bshell\s*:\s*(true|['"`])/, 'a shell option'],
      // A bare exec()/execSync() call (not RegExp#exec), or importing them from child_process.
      [/(^|[^.\w])exec(Sync)?\s*\(/, 'child_process exec (runs a shell)'],
      [
        /\bexec(Sync)?\b.*from\s+['"](node:)?child_process['"]/,
        'child_process exec (runs a shell)',
      ],
      [/\bexecaCommand(Sync)?\b/, 'execaCommand (parses a command string)'],
      // execa's `$` tag, not a regular expression's `$` closing a template literal (`…}$`).
      [/(^|[^\w$}])\$`|\bexeca\s*`/, "execa's template syntax"],
      [/shell\s*=\s*True/, 'subprocess shell=True'],
      [/\bos\.(system|popen)\s*\(/, 'os.system / os.popen'],
      [/['"`](\/bin\/)?(ba)?sh['"`]\s*,\s*\[\s*['"`]-c['"`]/, 'sh -c'],
    ]
    const hits = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) =>
          forbidden
            .filter(([pattern]) => pattern.test(line))
            .map(([, what]) => `${relative(repoRoot, file)}:${i + 1}: ${what}: ${line.trim()}`),
        ),
    )
    expect(files.length).toBeGreaterThan(10)
    expect(hits).toEqual([])
  })
})

/**
 * A two-node pipeline where every path has spaces and non-ASCII characters: the project
 * folder, the DAG file and its folder, the scripts' folder and names, the spec files, the
 * input data and the outputs; one Python node and one Node node.
 */
function unicodeProject(newProject: NewProject): { project: TempProject; dagRel: string } {
  const project = newProject({ dirName: 'my project ü/数据 pipeline' })
  project.copyScripts(['ok.py', 'node_step.mjs'], 'scripts dir é')
  project.write('scripts dir é/prépare données.py', 'from ok import main  # noqa: F401\n')
  project.write('data in ü/raw 数据/records.csv', 'id,label\n1,0\n')
  const dagRel = 'pipelines/fraud détection/my pipeline ü.dag.json'
  project.writeDag(dagRel, {
    name: 'unicode',
    nodes: [
      { name: 'Prépare données', script: '../../scripts dir é/prépare données.py' },
      { name: 'Entraîne modèle', script: '../../scripts dir é/node_step.mjs' },
    ],
    edges: [['Prépare données', 'Entraîne modèle']],
  })
  project.writeSpec({
    script: 'prépare données',
    step: 'Prépare données',
    inputs: { data_input: 'data in ü/raw 数据' },
    outputs: { data_output: 'out dir ü/préparé' },
  })
  project.writeSpec({
    script: 'node_step',
    step: 'Entraîne modèle',
    inputs: { data_input: 'out dir ü/préparé' },
    outputs: { model_output: 'out dir ü/modèle' },
  })
  return { project, dagRel }
}

describe('security: paths with spaces and non-ASCII characters work end to end', () => {
  it('library: specs found, every tier passes, outputs written', async ({ newProject }) => {
    const { project, dagRel } = unicodeProject(newProject)
    const before = project.snapshot()
    const builder = new PipelineTestingSpecBuilder({ rootDir: project.root })
    expect(builder.checkSpecs(dagRel)).toEqual([])
    const run = new PipelineRun(builder.buildFromDag(dagRel))
    const results = await run.runTiers({ scripts: true, compatibility: true, flow: true })
    await run.close()
    expect(
      Object.values(results.scripts).map((r) => [r.node, r.outcome, r.message.split('\n')[0]]),
    ).toEqual([
      ['Prépare données', 'success', expect.any(String)],
      ['Entraîne modèle', 'success', expect.any(String)],
    ])
    expect(results.edges['Prépare données->Entraîne modèle']?.status).toBe('passed')
    expect(results.flow?.status).toBe('passed')
    const model = results.flow!.scriptResults['Entraîne modèle']!.outputs[0]!.path
    expect(readFileSync(join(model, 'part-0.txt'), 'utf8')).toBe(
      'model_output <- data_output <- id,label\n1,0\n',
    )
    expect(project.snapshot()).toEqual(before)
    await expectNoProcessLeft(project)
  })

  it('CLI: validate and run take the paths as given', async ({ newProject }) => {
    const { project, dagRel } = unicodeProject(newProject)
    const before = project.snapshot()
    const cli = (args: string[]) =>
      execa('node', [cliJs, ...args], {
        cwd: project.root,
        env: childEnv({ [MARK_VAR]: project.mark }),
        extendEnv: false,
        reject: false,
        all: true,
        timeout: 120_000,
      })
    const validate = await cli(['validate', dagRel])
    expect(validate.exitCode, validate.all).toBe(0)
    const run = await cli(['run', dagRel])
    expect(run.exitCode, run.all).toBe(0)
    expect(run.stdout).toContain('PASSED')
    expect(runFolders(project).map((folder) => folder.state)).toEqual(['complete'])
    // Outside the project folder too: the paths are taken literally from the shell.
    const fromOutside = await execa(
      'node',
      [cliJs, 'run', join(project.root, dagRel), '--root', project.root],
      { cwd: project.scratch, env: childEnv(), extendEnv: false, reject: false, all: true },
    )
    expect(fromOutside.exitCode, fromOutside.all).toBe(0)
    expect(project.snapshot()).toEqual(before)
    await expectNoProcessLeft(project)
  })

  it('Vitest: describePipeline on the DAG path passes every generated test', async ({
    newProject,
  }) => {
    const { project, dagRel } = unicodeProject(newProject)
    makeVitestProject(project, {
      'pipeline ü.test.ts': `import { describePipeline } from '@pipetest/vitest'\n\ndescribePipeline(${JSON.stringify(dagRel)})\n`,
    })
    const before = project.snapshot()
    const report = join(project.scratch, 'report.json')
    const result = await execa(
      'node',
      [vitestMjs, 'run', '--reporter=json', `--outputFile=${report}`],
      {
        cwd: project.root,
        env: childEnv({ [MARK_VAR]: project.mark }),
        extendEnv: false,
        reject: false,
        all: true,
        timeout: 120_000,
      },
    )
    expect(result.exitCode, result.all).toBe(0)
    const json = JSON.parse(readFileSync(report, 'utf8')) as {
      numPassedTests: number
      numFailedTests: number
    }
    // 2 specs + 2 scripts + 1 edge + 1 flow.
    expect([json.numPassedTests, json.numFailedTests]).toEqual([6, 0])
    expect(project.snapshot()).toEqual(before)
    await expectNoProcessLeft(project)
  })
})
