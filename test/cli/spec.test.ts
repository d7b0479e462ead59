import { mkdirSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect } from 'vitest'
import { it } from '../support/fixtures.js'
import {
  assertBuilt,
  chainProject,
  cleanEnv,
  cli,
  cliCountingSpecReads,
  cliInPty,
  cliPath,
  completeSpecs,
  plain,
  pythonProject,
  read,
  readJson,
  write,
  type PtyStep,
} from './cli-harness.js'

beforeAll(assertBuilt)

const SPECS = 'test/integration/runtime/.specs'
const TRAIN = `${SPECS}/train_runtime_test_spec.json`

describe('pipetest spec set', () => {
  it('writes the spec file in the cursus format and shows the result', async ({ tempDir }) => {
    const { root, dag } = pythonProject(tempDir())
    const result = await cli(
      [
        'spec',
        'set',
        'Train',
        '--dag',
        dag,
        '--input',
        'data=out/prepared',
        '--output',
        'model=out/model',
        '--output',
        'metrics=out/metrics.json',
        '--env',
        'LABEL_FIELD=is_fraud',
        '--arg',
        'epochs=3',
        '--arg',
        'job_type=training',
        '--arg',
        'layers=[64,32]',
        '--runner',
        'python',
        '--timeout',
        '90',
        '--notes',
        'trains the model',
      ],
      { cwd: root },
    )
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`✓ Saved ${TRAIN}`)
    expect(result.stdout).toMatch(/outputs +model {4}out\/model\n +metrics {2}out\/metrics\.json/)
    expect(readJson(root, TRAIN)).toMatchObject({
      script_name: 'train',
      step_name: 'Train',
      input_paths: { data: 'out/prepared' },
      output_paths: { model: 'out/model', metrics: 'out/metrics.json' },
      job_args: { epochs: 3, job_type: 'training', layers: [64, 32] },
      runner: 'python',
      timeout_seconds: 90,
      user_notes: 'trains the model',
    })
    // A spec written from scratch starts from the defaults: the default env var is kept.
    expect(readJson(root, TRAIN).environ_vars).toEqual({ LABEL_FIELD: 'is_fraud' })
  })

  it('merges entries into the saved maps, or replaces them with --replace', async ({ tempDir }) => {
    const project = pythonProject(tempDir())
    const { root } = project
    await completeSpecs(project)
    await cli(['spec', 'set', 'Train', '--output', 'metrics=out/metrics'], { cwd: root })
    expect(readJson(root, TRAIN).output_paths).toEqual({
      model: 'out/model',
      metrics: 'out/metrics',
    })
    await cli(['spec', 'set', 'Train', '--replace', '--output', 'model=out/model2'], { cwd: root })
    expect(readJson(root, TRAIN).output_paths).toEqual({ model: 'out/model2' })
    expect(readJson(root, TRAIN).input_paths).toEqual({ data: 'out/prepared' })
  })

  it("saves --python as the script's interpreter, which validate then uses", async ({
    tempDir,
  }) => {
    const project = pythonProject(tempDir())
    const { root } = project
    await completeSpecs(project)
    const set = await cli(['spec', 'set', 'Train', '--python', '/nonexistent/python3'], {
      cwd: root,
    })
    expect(set.code).toBe(0)
    expect(readJson(root, TRAIN).python).toBe('/nonexistent/python3')
    const validate = await cli(['validate', project.dag], { cwd: root })
    expect(validate.code).toBe(1)
    expect(validate.stdout).toMatch(
      /✗ Train[^]*Python interpreter "\/nonexistent\/python3" not found/,
    )
    expect(validate.stdout).not.toMatch(/✗ Prepare/)
  })

  it.for<[string[], string]>([
    [['--input', 'no-equals-sign'], '--input "no-equals-sign" is not NAME=PATH'],
    [['--output', 'model='], '--output "model=": the path is empty'],
    [['--env', '1BAD=x'], '"1BAD" is not a valid name'],
    [['--runner', 'ruby'], '--runner "ruby" is not one of python, node, command'],
    [['--timeout', '0'], '--timeout "0" must be a number of seconds > 0'],
    [[], 'Nothing to set: give at least one of --input'],
  ])('rejects %j as a usage error and writes nothing', async ([args, message], { tempDir }) => {
    const { root } = pythonProject(tempDir())
    const result = await cli(['spec', 'set', 'Train', ...args], { cwd: root })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(message)
    expect(result.stderr).toContain('Run "pipetest spec set --help" for usage.')
    expect(existsSync(join(root, TRAIN))).toBe(false)
  })

  it('refuses a --script that does not exist (exit 1) and keeps the spec', async ({ tempDir }) => {
    const project = pythonProject(tempDir())
    await completeSpecs(project)
    const before = read(project.root, TRAIN)
    const result = await cli(['spec', 'set', 'Train', '--script', 'scripts/trian.py'], {
      cwd: project.root,
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(
      `--script scripts/trian.py: no file at ${join(project.root, 'scripts/trian.py')}`,
    )
    expect(read(project.root, TRAIN)).toBe(before)
  })
})

describe('pipetest spec show', () => {
  it('shows a spec by node or by script name, and how it was found', async ({ tempDir }) => {
    const project = pythonProject(tempDir())
    await completeSpecs(project)
    const byNode = await cli(['spec', 'show', 'Train'], { cwd: project.root })
    expect(byNode.code).toBe(0)
    expect(byNode.stdout).toMatch(
      /^train\n {2}step +Train\n {2}file +test\/integration\/runtime\/\.specs\/train_runtime_test_spec\.json\n {2}found +by its step_name/,
    )
    expect(byNode.stdout).toMatch(/inputs +data {2}out\/prepared/)
    const byScript = await cli(['spec', 'show', 'train'], { cwd: project.root })
    expect(byScript.stdout).toContain('found    by script name')
    const inDag = await cli(['spec', 'show', 'Train', '--dag', project.dag], { cwd: project.root })
    expect(inDag.stdout).toContain("by the DAG node's script")
  })

  it('prints {scriptName, file, source, scriptPath, spec} with --json', async ({ tempDir }) => {
    const project = pythonProject(tempDir())
    await completeSpecs(project)
    const result = await cli(['spec', 'show', 'Train', '--dag', project.dag, '--json'], {
      cwd: project.root,
    })
    const json = JSON.parse(result.stdout) as Record<string, unknown>
    expect(json).toMatchObject({
      scriptName: 'train',
      file: join(project.root, TRAIN),
      source: 'dag-script',
      scriptPath: join(project.root, 'scripts/train.py'),
      spec: { script_name: 'train', input_paths: { data: 'out/prepared' } },
    })
  })

  it('says which specs exist when the name matches none (exit 1)', async ({ tempDir }) => {
    const project = pythonProject(tempDir())
    await completeSpecs(project)
    const result = await cli(['spec', 'show', 'Evaluate'], { cwd: project.root })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(
      'error: No spec for "Evaluate" in test/integration/runtime/.specs',
    )
    expect(result.stderr).toContain('Saved specs: prepare, report, train.')
  })
})

describe('pipetest spec list', () => {
  it('says how to create specs when there are none', async ({ tempDir }) => {
    const { root } = pythonProject(tempDir())
    const result = await cli(['spec', 'list'], { cwd: root })
    expect(result).toMatchObject({ code: 0, stderr: '' })
    expect(result.stdout).toContain('No specs in test/integration/runtime/.specs.')
  })

  it('lists saved specs with their step and completeness, and broken files', async ({
    tempDir,
  }) => {
    const project = pythonProject(tempDir())
    await completeSpecs(project)
    write(project.root, `${SPECS}/report_runtime_test_spec.json`, '{ nope')
    write(
      project.root,
      `${SPECS}/prepare_runtime_test_spec.json`,
      JSON.stringify({ script_name: 'prepare', step_name: 'Prepare', output_paths: {} }),
    )
    const result = await cli(['spec', 'list'], { cwd: project.root })
    expect(result.stdout).toMatch(/✗ prepare +step Prepare +incomplete/)
    expect(result.stdout).toMatch(/! report +invalid: Spec file .* is not valid JSON/)
    expect(result.stdout).toMatch(/✓ train +step Train +complete/)
    const json = JSON.parse(
      (await cli(['spec', 'list', '--json'], { cwd: project.root })).stdout,
    ) as {
      specs: Array<Record<string, unknown>>
    }
    expect(json.specs.map((row) => [row.scriptName, row.complete, row.error === null])).toEqual([
      ['prepare', false, true],
      ['report', false, false],
      ['train', true, true],
    ])
  })

  it('with --dag, shows which spec each node uses and whether it is complete', async ({
    tempDir,
  }) => {
    const project = pythonProject(tempDir())
    mkdirSync(join(project.root, 'data', 'train'), { recursive: true })
    await cli(
      [
        'spec',
        'set',
        'Train',
        '--dag',
        project.dag,
        '--input',
        'data=data/train',
        '--output',
        'model=out/model',
      ],
      { cwd: project.root },
    )
    const result = await cli(['spec', 'list', '--dag', project.dag], { cwd: project.root })
    expect(result.stdout).toMatch(/✗ Prepare +no spec file \(defaults for prepare\) +1 problem/)
    expect(result.stdout).toMatch(
      /✓ Train +test\/integration\/runtime\/\.specs\/train_runtime_test_spec\.json \(by the DAG node's script\)/,
    )
    expect(result.stdout).toContain('Run "pipetest validate <dag>"')
    const json = JSON.parse(
      (await cli(['spec', 'list', '--dag', project.dag, '--json'], { cwd: project.root })).stdout,
    ) as { nodes: Array<Record<string, unknown>> }
    expect(json.nodes[1]).toEqual({
      node: 'Train',
      scriptName: 'train',
      file: join(project.root, TRAIN),
      source: 'dag-script',
      complete: true,
      problems: 0,
      error: null,
    })
  })

  it('with --dag, reads each spec file once for a 100-node DAG (not once per node)', async ({
    tempDir,
  }) => {
    const project = chainProject(tempDir(), 100)
    const result = await cliCountingSpecReads(['spec', 'list', '--dag', project.dag, '--json'], {
      cwd: project.root,
      tempDir,
    })
    expect(result.code).toBe(0)
    const json = JSON.parse(result.stdout) as {
      nodes: Array<{ source: string; complete: boolean }>
    }
    expect(json.nodes).toHaveLength(100)
    expect(json.nodes.every((node) => node.source === 'step-name' && node.complete)).toBe(true)
    expect(result.specReads).toBe(100)
  })
})

describe('pipetest spec edit', () => {
  // Train's spec as init writes it from the script and the DAG's ports: input "data" wired to
  // Prepare's output, output "model" for Report, and the SLEEP default its code reads.
  const answers: PtyStep[] = [
    { expect: 'Script path \\[scripts/train\\.py\\]: ', send: '\r' },
    { expect: 'Input "data" path .*: ', send: 'out/prepared\r' },
    { expect: 'Add an input .*: ', send: '\r' },
    { expect: 'Output "model" path .*: ', send: 'out/model\r' },
    { expect: 'Add an output .*: ', send: '\r' },
    { expect: 'Environment variable \\(.*: ', send: '-SLEEP\r' },
    { expect: 'Environment variable \\(.*: ', send: 'SEED=7\r' },
    { expect: 'Environment variable \\(.*: ', send: '\r' },
    { expect: 'Job argument \\(.*: ', send: 'epochs=3\r' },
    { expect: 'Job argument \\(.*: ', send: '\r' },
    { expect: 'Notes: ', send: 'typed in a terminal\r' },
  ]

  it('saves the answers typed at its prompts in a real terminal', async ({ tempDir }) => {
    const { root, dag } = pythonProject(tempDir())
    await cli(['init', dag], { cwd: root })
    const result = await cliInPty(['spec', 'edit', 'Train', '--dag', dag], {
      cwd: root,
      steps: answers,
    })
    expect(plain(result.stdout)).toContain('Next: pipetest validate pipeline.dag.json')
    expect(result.code).toBe(0)
    expect(readJson(root, TRAIN)).toMatchObject({
      script_name: 'train',
      step_name: 'Train',
      input_paths: { data: 'out/prepared' },
      output_paths: { model: 'out/model' },
      environ_vars: { SEED: '7' },
      job_args: { epochs: 3 },
      user_notes: 'typed in a terminal',
    })
  })

  it('writes nothing when cancelled with Ctrl-C (exit 130)', async ({ tempDir }) => {
    const { root, dag } = pythonProject(tempDir())
    await cli(['init', dag], { cwd: root })
    const before = read(root, TRAIN)
    const result = await cliInPty(['spec', 'edit', 'Train', '--dag', dag], {
      cwd: root,
      steps: [...answers.slice(0, 4), { expect: 'Add an output .*: ', send: '\u0003' }],
    })
    expect(result.code).toBe(130)
    expect(plain(result.stdout)).toContain('nothing was saved')
    expect(read(root, TRAIN)).toBe(before)
  })

  it("finds the project's DAG as spec set does: a typo is refused with a did-you-mean", async ({
    tempDir,
  }) => {
    const project = pythonProject(tempDir())
    await completeSpecs(project, { SEED: '7' })
    const result = await cli(['spec', 'edit', 'Trian'], { cwd: project.root })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('Node "Trian" is not in the DAG')
    expect(result.stderr).toContain('did you mean "Train"?')
    expect(result.stderr).not.toContain('pipetest spec set Trian')
  })

  it('without a DAG, a name with no spec needs --new, as for spec set', async ({ tempDir }) => {
    const project = pythonProject(tempDir())
    await completeSpecs(project, { SEED: '7' })
    const dagless = join(project.root, 'elsewhere')
    mkdirSync(dagless)
    const args = [
      '--root',
      dagless,
      '--test-data-dir',
      join(project.root, 'test/integration/runtime'),
    ]
    const result = await cli(['spec', 'edit', 'Evaluate', ...args], { cwd: project.root })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('No spec for "Evaluate"')
    expect(result.stderr).toContain('add --new')
    const withNew = await cli(['spec', 'edit', 'Evaluate', '--new', ...args], { cwd: project.root })
    // Accepted, then asks for a terminal (there is none here).
    expect(withNew.stderr).toContain('pipetest spec edit needs a terminal')
  })

  it('without a terminal, fails at once and prints the equivalent spec set command', async ({
    tempDir,
  }) => {
    const project = pythonProject(tempDir())
    await completeSpecs(project, { SEED: '7' })
    await cli(['spec', 'set', 'Train', '--arg', 'epochs=3', '--notes', "it's mine"], {
      cwd: project.root,
    })
    const before = readJson(project.root, TRAIN)
    const result = await cli(['spec', 'edit', 'Train'], { cwd: project.root })
    expect(result.code).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr).toContain('error: pipetest spec edit needs a terminal')
    const command = result.stderr.slice(result.stderr.indexOf('pipetest spec set')).trim()
    expect(command).toContain("--notes 'it'\\''s mine'")

    // The printed command, run by a shell, writes back exactly the same spec.
    write(project.root, TRAIN, JSON.stringify({ ...before, input_paths: {}, user_notes: null }))
    const shell = spawnSync(
      'sh',
      ['-c', command.replace(/^pipetest/, `"${process.execPath}" "${cliPath}"`)],
      {
        cwd: project.root,
        env: cleanEnv(),
        encoding: 'utf8',
      },
    )
    expect(shell.status).toBe(0)
    const after = readJson(project.root, TRAIN)
    expect({ ...after, last_updated: null }).toEqual({ ...before, last_updated: null })
  })
})
