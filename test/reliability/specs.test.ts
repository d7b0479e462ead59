import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { dirname, join } from 'node:path'
import { execa } from 'execa'
import { describe, expect } from 'vitest'
import {
  PipelineTestingSpecBuilder,
  isPipetestError,
  type PipetestError,
  type SpecProblem,
} from '../../src/index.js'
import { PipelineRun } from '../../src/engine/index.js'
import { loadSpecFile, saveSpecFile } from '../../src/spec/index.js'
import {
  OUR_STACK_FRAME,
  cliJs,
  distReady,
  expectNoProcessLeft,
  hashTree,
  isRoot,
  it,
  test,
  type TempProject,
} from './helpers.js'

/**
 * Fault matrix, spec rows: a spec that cannot be used is reported — by `checkSpecs`, by
 * `buildFromDag` (one SPECS_INCOMPLETE error listing it), by `pipetest validate` — with the
 * file, the field and the fix, and no spec file, input or script changes. Where a run can
 * still go ahead, it fails cleanly instead of crashing.
 */

test.beforeAll(distReady)

/** A one-node pipeline: `Preprocess` (script `scripts/preprocess.py`) reading `data/raw`. */
function preprocessProject(project: TempProject): { project: TempProject; dag: string } {
  project.copyScripts(['ok.py'])
  project.write('scripts/preprocess.py', 'from ok import main  # noqa: F401\n')
  project.write('data/raw/records.csv', 'id,label\n1,0\n2,1\n')
  const dag = project.writeDag('pipeline.dag.json', {
    name: 'single',
    nodes: ['Preprocess'],
    edges: [],
  })
  return { project, dag }
}

const specFileOf = (project: TempProject) =>
  join(project.specsDir, 'preprocess_runtime_test_spec.json')

function catchError(action: () => unknown): PipetestError {
  try {
    action()
  } catch (error) {
    if (isPipetestError(error)) return error
    throw error
  }
  throw new Error('expected a PipetestError, but nothing was thrown')
}

/** Runs Preprocess's script as the engine would with the spec as it is, checks skipped. */
async function runPreprocessAnyway(project: TempProject, dag: string) {
  const builder = new PipelineTestingSpecBuilder({ rootDir: project.root })
  const run = new PipelineRun(builder.buildFromDag(dag, { validate: false }))
  try {
    return await run.testScript('Preprocess')
  } finally {
    await run.close()
  }
}

async function validate(project: TempProject) {
  return execa('node', [cliJs, 'validate', 'pipeline.dag.json'], {
    cwd: project.root,
    reject: false,
    env: { NO_COLOR: '1' },
    timeout: 60_000,
  })
}

/**
 * The checks every spec row makes: exactly one problem of `kind` for the node, carrying
 * `words` and a fix; the same problem inside buildFromDag's SPECS_INCOMPLETE error and in
 * `pipetest validate` (exit 1); a builder with `persistDefaults` writes no default over the
 * user's broken file; nothing changed on disk.
 */
async function expectSpecProblem(
  project: TempProject,
  dag: string,
  kind: SpecProblem['kind'],
  words: string[],
): Promise<SpecProblem> {
  const before = project.snapshot()
  const builder = new PipelineTestingSpecBuilder({ rootDir: project.root })

  const problems = builder.checkSpecs(dag)
  expect(problems.map((p) => [p.node, p.kind])).toEqual([['Preprocess', kind]])
  const [problem] = problems as [SpecProblem]
  for (const word of words) expect(problem.message).toContain(word)
  expect(problem.fix).toBeTruthy()

  const error = catchError(() => builder.buildFromDag(dag))
  expect(error.code).toBe('SPECS_INCOMPLETE')
  expect(error.message).toContain(problem.message.split('\n')[0])

  const cli = await validate(project)
  expect(cli.exitCode).toBe(1)
  for (const word of words) expect(cli.stdout).toContain(word)
  expect(`${cli.stdout}\n${cli.stderr}`).not.toMatch(OUR_STACK_FRAME)

  new PipelineTestingSpecBuilder({ rootDir: project.root, persistDefaults: true }).buildFromDag(
    dag,
    { validate: false },
  )
  if (kind !== 'missing-spec') expect(project.snapshot()).toEqual(before)
  await expectNoProcessLeft(project)
  return problem
}

describe('spec rows: an unusable spec is reported with its file, field and fix', () => {
  it('malformed JSON → SPEC_INVALID_JSON / invalid-spec with line and column', async ({
    project,
  }) => {
    const { dag } = preprocessProject(project)
    const file = project.write(
      'test/integration/runtime/.specs/preprocess_runtime_test_spec.json',
      '{\n  "script_name": "preprocess",\n  "step_name": "Preprocess"\n  "input_paths": {}\n}\n',
    )
    const error = catchError(() => loadSpecFile(file))
    expect(error.code).toBe('SPEC_INVALID_JSON')
    expect(error.file).toBe(file)
    expect(error.message).toContain('line 4, column 3')

    const problem = await expectSpecProblem(project, dag, 'invalid-spec', [
      'preprocess_runtime_test_spec.json',
      'is not valid JSON',
      'line 4, column 3',
    ])
    expect(problem.file).toBe(file)
  })

  it('wrong field types → SPEC_INVALID naming every bad field and what it got', async ({
    project,
  }) => {
    const { dag } = preprocessProject(project)
    project.writeSpec({
      script: 'preprocess',
      step: 'Preprocess',
      inputs: 'data/raw' as unknown as Record<string, string>,
      outputs: { data_output: 'out/preprocess' },
      extra: { timeout_seconds: '10', environ_vars: { DEBUG: ['yes'] } },
    })
    const error = catchError(() => loadSpecFile(specFileOf(project)))
    expect(error.code).toBe('SPEC_INVALID')
    expect(error.field).toBe('input_paths')
    for (const word of ['input_paths', 'timeout_seconds', 'environ_vars.DEBUG', 'got string "10"'])
      expect(error.message).toContain(word)

    await expectSpecProblem(project, dag, 'invalid-spec', [
      'input_paths',
      'timeout_seconds',
      'got string "data/raw"',
    ])
  })

  it('unknown runner → unknown-runner listing the runners that exist', async ({ project }) => {
    const { dag } = preprocessProject(project)
    project.writeSpec({
      script: 'preprocess',
      step: 'Preprocess',
      inputs: { data_input: 'data/raw' },
      outputs: { data_output: 'out/preprocess' },
      extra: { runner: 'ruby' },
    })
    const error = catchError(() => loadSpecFile(specFileOf(project)))
    expect(error.code).toBe('SPEC_INVALID')
    expect(error.field).toBe('runner')

    const problem = await expectSpecProblem(project, dag, 'unknown-runner', [
      'runner',
      '"ruby"',
      '"python", "node", "command"',
    ])
    expect(problem.fix).toContain('"python", "node" or "command"')
  })

  it.for<[string, string]>([
    ['a "/"', 'sub/preprocess'],
    ['".."', '../../outside'],
  ])(
    'script_name with %s in a spec file → invalid-spec, nothing written outside .specs',
    async ([, bad], { project }) => {
      const { dag } = preprocessProject(project)
      project.writeSpec({
        script: 'preprocess',
        step: 'Preprocess',
        inputs: { data_input: 'data/raw' },
        outputs: { data_output: 'out/preprocess' },
      })
      // Hand-edited: the file keeps its name, its script_name tries to leave the folder.
      const text = `{"script_name": ${JSON.stringify(bad)}, "step_name": "Preprocess", "output_paths": {"data_output": "out"}}\n`
      project.write('test/integration/runtime/.specs/preprocess_runtime_test_spec.json', text)
      const error = catchError(() => loadSpecFile(specFileOf(project)))
      expect(error.code).toBe('SPEC_INVALID')
      expect(error.field).toBe('script_name')

      const outside = hashTree(dirname(project.root))
      await expectSpecProblem(project, dag, 'invalid-spec', ['script_name'])
      expect(hashTree(dirname(project.root))).toEqual(outside)
    },
  )

  it.for<[string, string]>([
    ['a "/"', 'sub/preprocess'],
    ['".."', '../../outside'],
    ['a leading "."', '.hidden'],
  ] as const)(
    'script_name with %s when saving → refused before anything is written',
    async ([, bad], { project }) => {
      preprocessProject(project)
      const everything = () => hashTree(dirname(project.root), [])
      const before = everything()
      const builder = new PipelineTestingSpecBuilder({ rootDir: project.root })
      const spec = {
        scriptName: bad,
        stepName: 'Preprocess',
        inputPaths: { data_input: 'data/raw' },
        outputPaths: { data_output: 'out/preprocess' },
        environVars: {},
        jobArgs: {},
      }

      const viaBuilder = catchError(() => builder.saveScriptSpec(spec))
      expect(viaBuilder.code).toMatch(/^SPEC_(INVALID|BAD_NAME)$/)
      expect(viaBuilder.message).toContain('script_name')
      expect(catchError(() => saveSpecFile(spec, builder.specsDir)).code).toBe('SPEC_BAD_NAME')
      const viaUpdate = catchError(() =>
        builder.updateScriptSpec('Preprocess', { scriptName: bad }),
      )
      expect(viaUpdate.code).toMatch(/^SPEC_(INVALID|BAD_NAME)$/)
      expect(viaUpdate.message).toContain('script_name')

      expect(everything()).toEqual(before)
    },
  )

  it.for<[string, string]>([
    ['a "/"', 'sub/Preprocess'],
    ['".."', '../../Outside'],
  ])(
    'a DAG node name with %s → `pipetest init` / `spec set` keep its spec file inside .specs',
    async ([, node], { project }) => {
      project.writeDag('escape.dag.json', { nodes: [node], edges: [] })
      const outside = () => {
        const tree = hashTree(dirname(project.root), [])
        return Object.fromEntries(
          Object.entries(tree).filter(([key]) => !key.startsWith('project/')),
        )
      }
      const before = project.snapshot()
      const beforeOutside = outside()
      for (const args of [
        ['init', 'escape.dag.json'],
        ['spec', 'set', node, '--dag', 'escape.dag.json', '--output', 'data_output=out'],
      ]) {
        const cli = await execa('node', [cliJs, ...args], {
          cwd: project.root,
          reject: false,
          env: { NO_COLOR: '1' },
          timeout: 60_000,
        })
        expect(cli.exitCode, cli.stderr).toBe(0)
        expect(`${cli.stdout}\n${cli.stderr}`).not.toMatch(OUR_STACK_FRAME)
      }
      const added = Object.keys(project.snapshot()).filter(
        (key) => !(key in before) && !key.endsWith('/'),
      )
      expect(added.filter((key) => key !== '.gitignore')).toHaveLength(1)
      expect(added.find((key) => key !== '.gitignore')).toMatch(
        /^test\/integration\/runtime\/\.specs\/[A-Za-z0-9_-]+_runtime_test_spec\.json$/,
      )
      expect(outside()).toEqual(beforeOutside)
    },
  )

  it('missing spec → missing-spec with the `pipetest spec set` fix; running anyway reports missing inputs', async ({
    project,
  }) => {
    const { dag } = preprocessProject(project)
    const before = project.snapshot()
    const problem = await expectSpecProblem(project, dag, 'missing-spec', [
      'No spec file for "Preprocess"',
      'preprocess_runtime_test_spec.json',
    ])
    expect(problem.fix).toContain('pipetest spec set Preprocess')
    // persistDefaults may write the default for the node that had none (not under CI), and
    // nothing else; the files that were there are unchanged.
    const after = project.snapshot()
    const written = Object.keys(after).filter((key) => !(key in before) && !key.endsWith('/'))
    expect(written).toEqual(
      written.length === 0
        ? []
        : ['test/integration/runtime/.specs/preprocess_runtime_test_spec.json'],
    )
    expect(Object.fromEntries(Object.keys(before).map((key) => [key, after[key]]))).toEqual(before)

    const pristine = preprocessProject(project)
    const snapshot = pristine.project.snapshot()
    const result = await runPreprocessAnyway(pristine.project, pristine.dag)
    expect(result.status).toBe('failed')
    expect(result.outcome).toBe('missing-inputs')
    expect(result.message).toContain('data_input')
    expect(result.message).toContain('the script was not run')
    expect(pristine.project.snapshot()).toEqual(snapshot)
    await expectNoProcessLeft(pristine.project)
  })

  it('spec for a script that does not exist → script-not-found naming the path; the run says so too', async ({
    project,
  }) => {
    const { dag } = preprocessProject(project)
    project.writeSpec({
      script: 'preprocess',
      step: 'Preprocess',
      scriptPath: 'scripts/preprocesss.py',
      inputs: { data_input: 'data/raw' },
      outputs: { data_output: 'out/preprocess' },
    })
    await expectSpecProblem(project, dag, 'script-not-found', [
      'scripts/preprocesss.py',
      'does not exist',
    ])

    const before = project.snapshot()
    const result = await runPreprocessAnyway(project, dag)
    expect(result.outcome).toBe('script-not-found')
    expect(result.message).toContain('preprocesss.py')
    expect(project.snapshot()).toEqual(before)
    await expectNoProcessLeft(project)
  })

  it('output path equal to an input path → incomplete; a run anyway never writes over the input', async ({
    project,
  }) => {
    const { dag } = preprocessProject(project)
    project.writeSpec({
      script: 'preprocess',
      step: 'Preprocess',
      inputs: { data_input: 'data/raw' },
      outputs: { data_output: './data/raw/' },
    })
    await expectSpecProblem(project, dag, 'incomplete', [
      'output_paths.data_output and input_paths.data_input are the same path',
    ])

    const before = project.snapshot()
    const result = await runPreprocessAnyway(project, dag)
    // The script writes into its fresh output folder, which is not data/raw.
    expect(result.status).toBe('passed')
    expect(result.outputs[0]!.path).toContain(join('.pipetest', 'runs'))
    expect(project.snapshot()).toEqual(before)
    await expectNoProcessLeft(project)
  })

  it(`unreadable spec file → SPEC_UNREADABLE / invalid-spec${isRoot ? ' (as root, chmod 000 cannot stop reading: the spec path is a folder instead)' : ' (chmod 000)'}`, async ({
    project,
  }) => {
    const { dag } = preprocessProject(project)
    const file = specFileOf(project)
    if (isRoot) {
      mkdirSync(file, { recursive: true })
    } else {
      project.writeSpec({
        script: 'preprocess',
        step: 'Preprocess',
        inputs: { data_input: 'data/raw' },
        outputs: { data_output: 'out/preprocess' },
      })
      chmodSync(file, 0o000)
    }
    const error = catchError(() => loadSpecFile(file))
    expect(error.code).toBe('SPEC_UNREADABLE')
    expect(error.message).toContain('cannot be read')

    await expectSpecProblem(project, dag, 'invalid-spec', [
      'preprocess_runtime_test_spec.json',
      'cannot be read',
    ])
    // Still the user's (unreadable) file: no default was written over it.
    expect(existsSync(file)).toBe(true)
    if (isRoot) expect(readdirSync(file)).toEqual([])
  })
})

/** `pipetest ARGS` in the project, as a user's shell runs it. */
function pipetest(project: TempProject, ...args: string[]) {
  return execa('node', [cliJs, ...args], {
    cwd: project.root,
    reject: false,
    env: { NO_COLOR: '1' },
    timeout: 60_000,
  })
}

/** A clean CLI failure: exit 1, every word in the output, no stack trace of ours. */
function expectCleanFailure(
  result: { exitCode?: number; stdout: string; stderr: string },
  words: string[],
) {
  const output = `${result.stdout}\n${result.stderr}`
  expect(result.exitCode, output).toBe(1)
  for (const word of words) expect(output).toContain(word)
  expect(output).not.toMatch(OUR_STACK_FRAME)
}

const specOf = (project: TempProject, script: string) =>
  join(project.specsDir, `${script}_runtime_test_spec.json`)

/** Two nodes, each with its own complete spec; `Train` is written as a copy of `Preprocess`'s. */
function twoNodeProject(project: TempProject): { project: TempProject; dag: string } {
  preprocessProject(project)
  project.write('scripts/train.py', 'from ok import main  # noqa: F401\n')
  const dag = project.writeDag('pipeline.dag.json', {
    name: 'two',
    nodes: ['Preprocess', 'Train'],
    edges: [],
  })
  project.writeSpec({
    script: 'preprocess',
    step: 'Preprocess',
    inputs: { data_input: 'data/raw' },
    outputs: { data_output: 'out/preprocess' },
    env: { KEEP: 'me' },
    jobArgs: { job_type: 'training' },
  })
  return { project, dag }
}

describe('identity rows: every write goes to the file the node resolves to', () => {
  it("a copied spec (same script_name in two files): spec set writes the node's own file; validate names the copy", async ({
    project,
  }) => {
    twoNodeProject(project)
    const original = readFileSync(specOf(project, 'preprocess'), 'utf8')
    // Copied to start Train's spec: the file name and step_name changed, script_name did not.
    project.write(
      'test/integration/runtime/.specs/train_runtime_test_spec.json',
      original.replace('"step_name": "Preprocess"', '"step_name": "Train"'),
    )
    const set = await pipetest(
      project,
      'spec',
      'set',
      'Train',
      '--dag',
      'pipeline.dag.json',
      '--env',
      'X=1',
    )
    expect(set.exitCode, set.stderr).toBe(0)
    expect(set.stdout).toContain('train_runtime_test_spec.json')
    expect(readFileSync(specOf(project, 'preprocess'), 'utf8')).toBe(original)
    expect(JSON.parse(readFileSync(specOf(project, 'train'), 'utf8'))).toMatchObject({
      step_name: 'Train',
      environ_vars: { KEEP: 'me', X: '1' },
    })

    const before = project.snapshot()
    const validate = await pipetest(project, 'validate', 'pipeline.dag.json')
    expectCleanFailure(validate, [
      '"script_name": "preprocess"',
      'not its file name',
      'Set "script_name" to "train"',
    ])
    expect(project.snapshot()).toEqual(before)
  })

  it('a copy that kept step_name: validate names both files claiming the node', async ({
    project,
  }) => {
    twoNodeProject(project)
    const original = readFileSync(specOf(project, 'preprocess'), 'utf8')
    project.write(
      'test/integration/runtime/.specs/preprocess_copy_runtime_test_spec.json',
      original.replace('"script_name": "preprocess"', '"script_name": "preprocess_copy"'),
    )
    const validate = await pipetest(project, 'validate', 'pipeline.dag.json')
    expectCleanFailure(validate, [
      '2 spec files say "step_name": "Preprocess"',
      'preprocess_copy_runtime_test_spec.json',
    ])
  })

  it('a typo without a DAG never edits a similar spec, nor creates a stray one; --new creates one', async ({
    project,
  }) => {
    twoNodeProject(project)
    rmSync(project.root + '/pipeline.dag.json')
    rmSync(project.root + '/scripts/train.py')
    const before = project.snapshot()
    const typo = await pipetest(project, 'spec', 'set', 'Preproces', '--env', 'X=1')
    expectCleanFailure(typo, ['No spec for "Preproces"', 'did you mean "Preprocess"'])
    const stray = await pipetest(project, 'spec', 'set', 'TrainModle', '--env', 'X=1')
    expectCleanFailure(stray, ['No spec for "TrainModle"', '--new'])
    expect(project.snapshot()).toEqual(before)

    const created = await pipetest(
      project,
      'spec',
      'set',
      'TrainModel',
      '--new',
      '--output',
      'model=out/model',
    )
    expect(created.exitCode, created.stderr).toBe(0)
    expect(existsSync(specOf(project, 'train_model'))).toBe(true)
  })

  it('a node that is not in the DAG is refused with a did-you-mean, nothing written', async ({
    project,
  }) => {
    twoNodeProject(project)
    const before = project.snapshot()
    // The project's only DAG is found without --dag.
    const result = await pipetest(project, 'spec', 'set', 'Trian', '--env', 'X=1')
    expectCleanFailure(result, ['"Trian" is not in the DAG', 'did you mean "Train"'])
    expect(project.snapshot()).toEqual(before)
  })

  it("spec set refuses an output over an input with validate's message; nothing written", async ({
    project,
  }) => {
    twoNodeProject(project)
    const before = project.snapshot()
    const result = await pipetest(
      project,
      'spec',
      'set',
      'Preprocess',
      '--output',
      'data_output=data/raw',
    )
    expectCleanFailure(result, [
      'output_paths.data_output and input_paths.data_input are the same path',
    ])
    expect(project.snapshot()).toEqual(before)
  })

  it('a symlinked spec file is written through its link: the target changes, the link stays', async ({
    project,
  }) => {
    twoNodeProject(project)
    const file = specOf(project, 'preprocess')
    const shared = join(project.root, 'shared-specs', 'preprocess.json')
    mkdirSync(dirname(shared))
    renameSync(file, shared)
    symlinkSync(shared, file)
    const result = await pipetest(project, 'spec', 'set', 'Preprocess', '--env', 'X=1')
    expect(result.exitCode, result.stderr).toBe(0)
    expect(lstatSync(file).isSymbolicLink()).toBe(true)
    expect(JSON.parse(readFileSync(shared, 'utf8')).environ_vars).toMatchObject({
      KEEP: 'me',
      X: '1',
    })
  })

  it('a near miss of a known key (input_path) is a validate error with did-you-mean; other unknown keys are kept', async ({
    project,
  }) => {
    twoNodeProject(project)
    project.writeSpec({
      script: 'train',
      step: 'Train',
      outputs: { model: 'out/model' },
      extra: { input_path: { data: 'data/raw' }, owner: 'data-team' },
    })
    const validate = await pipetest(project, 'validate', 'pipeline.dag.json')
    expectCleanFailure(validate, [
      'unknown key "input_path"',
      'did you mean "input_paths"',
      'Rename "input_path"',
    ])
    expect(validate.stdout).not.toContain('"owner"')
    const set = await pipetest(project, 'spec', 'set', 'Train', '--env', 'X=1')
    expect(set.exitCode, set.stderr).toBe(0)
    expect(JSON.parse(readFileSync(specOf(project, 'train'), 'utf8'))).toMatchObject({
      input_path: { data: 'data/raw' },
      owner: 'data-team',
    })
  })

  it('a UTF-8 byte order mark at the start of a DAG or spec file is accepted', async ({
    project,
  }) => {
    twoNodeProject(project)
    project.writeSpec({ script: 'train', step: 'Train', outputs: { model: 'out/model' } })
    for (const file of [join(project.root, 'pipeline.dag.json'), specOf(project, 'train')]) {
      writeFileSync(file, `\uFEFF${readFileSync(file, 'utf8')}`)
    }
    const validate = await pipetest(project, 'validate', 'pipeline.dag.json')
    expect(validate.exitCode, validate.stdout).toBe(0)
    expect(validate.stdout).not.toContain('not valid JSON')
  })

  it('a non-Python script without runner or command (cursus re-saved the spec) is a validate error', async ({
    project,
  }) => {
    twoNodeProject(project)
    project.write('scripts/pack.sh', '#!/bin/sh\ntar -cf "$2" "$1"\n')
    project.writeDag('pipeline.dag.json', { nodes: ['Preprocess', 'Pack'], edges: [] })
    project.writeSpec({
      script: 'pack',
      step: 'Pack',
      scriptPath: 'scripts/pack.sh',
      outputs: { archive: 'out/a.tar' },
    })
    const validate = await pipetest(project, 'validate', 'pipeline.dag.json')
    expectCleanFailure(validate, [
      'pack.sh of "Pack" is neither Python nor Node',
      '"command"',
      '--runner command',
    ])
  })

  it(`a .specs folder that cannot be written: spec set and init fail with the path, the cause and the fix${isRoot ? ' (as root: a file in the way, ENOTDIR)' : ' (chmod 555)'}`, async ({
    project,
  }) => {
    twoNodeProject(project)
    const args = isRoot ? ['--test-data-dir', 'data/raw/records.csv/td'] : []
    if (!isRoot) chmodSync(project.specsDir, 0o555)
    const before = project.snapshot()
    try {
      const set = await pipetest(
        project,
        'spec',
        'set',
        'Train',
        '--dag',
        'pipeline.dag.json',
        '--output',
        'model=out/model',
        ...args,
      )
      expectCleanFailure(set, [
        'Cannot write the spec file',
        isRoot ? 'is a file, not a folder' : 'permission denied',
        'Nothing was saved',
      ])
      const init = await pipetest(project, 'init', 'pipeline.dag.json', ...args)
      expectCleanFailure(init, [
        'Cannot write the spec file',
        isRoot ? 'is a file, not a folder' : 'permission denied',
      ])
    } finally {
      if (!isRoot) chmodSync(project.specsDir, 0o755)
    }
    expect(
      Object.entries(project.snapshot()).filter(([key, hash]) => before[key] !== hash),
    ).toEqual([])
  })
})
