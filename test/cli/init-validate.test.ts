import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect } from 'vitest'
import { it } from '../support/fixtures.js'
import {
  assertBuilt,
  chainProject,
  cli,
  cliCountingSpecReads,
  completeSpecs,
  pythonProject,
  read,
  readJson,
  write,
} from './cli-harness.js'

beforeAll(assertBuilt)

const SPECS = 'test/integration/runtime/.specs'

function specFiles(root: string): string[] {
  const dir = join(root, SPECS)
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => !name.startsWith('.'))
        .sort()
    : []
}

describe('pipetest init', () => {
  it('creates a default spec for every node and reports each file', async ({ tempDir }) => {
    const { root, dag } = pythonProject(tempDir())
    const result = await cli(['init', dag], { cwd: root })
    expect(result.code).toBe(0)
    expect(specFiles(root)).toEqual([
      'prepare_runtime_test_spec.json',
      'report_runtime_test_spec.json',
      'train_runtime_test_spec.json',
    ])
    expect(result.stdout).toContain('Created (3)')
    expect(result.stdout).toMatch(
      /\+ Prepare +test\/integration\/runtime\/\.specs\/prepare_runtime_test_spec\.json/,
    )
    expect(result.stdout).toContain('pipetest validate pipeline.dag.json')
    const spec = readJson(root, `${SPECS}/train_runtime_test_spec.json`)
    expect(spec).toMatchObject({ script_name: 'train', step_name: 'Train' })
  })

  it('invents no environment or job arguments for a script whose code it cannot read', async ({
    tempDir,
  }) => {
    const root = tempDir()
    write(
      root,
      'scripts/broken.py',
      'def main(input_paths, output_paths, environ_vars, job_args)\n',
    )
    write(
      root,
      'pipeline.dag.json',
      JSON.stringify({
        nodes: [{ name: 'Broken_training', script: 'scripts/broken.py' }, 'Missing_calibration'],
        edges: [],
      }),
    )
    const result = await cli(['init', 'pipeline.dag.json'], { cwd: root })
    expect(result.code).toBe(0)
    expect(specFiles(root)).toHaveLength(2)
    for (const file of specFiles(root)) {
      // Not cursus' LABEL_FIELD=label / job_type=testing: empty job_args give main() the job
      // type of the node's suffix (training, calibration), and an env var nobody reads is noise.
      const spec = readJson(root, `${SPECS}/${file}`)
      expect([spec.environ_vars, spec.job_args]).toEqual([{}, {}])
    }
    expect(result.stdout).toContain("defaults: expected ':' (line 1)")
  })

  it('never overwrites an existing spec and says which ones already existed', async ({
    tempDir,
  }) => {
    const project = pythonProject(tempDir())
    const { root, dag } = project
    await completeSpecs(project)
    write(
      root,
      `${SPECS}/train_runtime_test_spec.json`,
      read(root, `${SPECS}/train_runtime_test_spec.json`).replace(
        '"user_notes": null',
        '"user_notes": "mine"',
      ),
    )
    const before = specFiles(root).map((name) => read(root, `${SPECS}/${name}`))

    const result = await cli(['init', dag], { cwd: root })
    expect(result.code).toBe(0)
    expect(result.stdout).not.toContain('Created (')
    expect(result.stdout).toContain('Already existing, left unchanged (3)')
    expect(result.stdout).toMatch(
      /= Train +test\/integration\/runtime\/\.specs\/train_runtime_test_spec\.json/,
    )
    expect(specFiles(root).map((name) => read(root, `${SPECS}/${name}`))).toEqual(before)
  })

  it('creates only the missing specs next to existing ones', async ({ tempDir }) => {
    const { root, dag } = pythonProject(tempDir())
    await cli(['spec', 'set', 'Train', '--dag', dag, '--output', 'model=out/model'], { cwd: root })
    const train = read(root, `${SPECS}/train_runtime_test_spec.json`)
    const result = await cli(['init', dag], { cwd: root })
    expect(result.stdout).toContain('Created (2)')
    expect(result.stdout).toContain('Already existing, left unchanged (1)')
    expect(read(root, `${SPECS}/train_runtime_test_spec.json`)).toBe(train)
  })

  it('reports a broken spec file without touching it (exit 1)', async ({ tempDir }) => {
    const { root, dag } = pythonProject(tempDir())
    write(root, `${SPECS}/train_runtime_test_spec.json`, '{"script_name": "train",')
    const result = await cli(['init', dag], { cwd: root })
    expect(result.code).toBe(1)
    expect(result.stdout).toContain('Could not be read, left unchanged (1)')
    expect(result.stdout).toContain('is not valid JSON')
    expect(read(root, `${SPECS}/train_runtime_test_spec.json`)).toBe('{"script_name": "train",')
    expect(specFiles(root)).toHaveLength(3)
  })

  it('reads each spec file once per run on a 100-node DAG: the new ones once written, then once', async ({
    tempDir,
  }) => {
    const { root, dag } = chainProject(tempDir(), 100, { specs: false })
    const first = await cliCountingSpecReads(['init', dag], { cwd: root, tempDir })
    expect(first.code).toBe(0)
    expect(first.stdout).toContain('Created (100)')
    expect(specFiles(root)).toHaveLength(100)
    expect(first.specReads).toBe(100)

    const again = await cliCountingSpecReads(['init', dag], { cwd: root, tempDir })
    expect(again.stdout).toContain('Already existing, left unchanged (100)')
    expect(again.specReads).toBe(100)
  })

  it('creates a .gitignore with .pipetest/ when the project has none', async ({ tempDir }) => {
    const { root, dag } = pythonProject(tempDir())
    const result = await cli(['init', dag], { cwd: root })
    expect(read(root, '.gitignore')).toBe('.pipetest/\n')
    expect(result.stdout).toContain('Created .gitignore: added .pipetest/')
  })

  it('appends .pipetest/ to an existing .gitignore once, keeping its content', async ({
    tempDir,
  }) => {
    const { root, dag } = pythonProject(tempDir())
    write(root, '.gitignore', 'node_modules/\n*.log')
    await cli(['init', dag], { cwd: root })
    expect(read(root, '.gitignore')).toBe('node_modules/\n*.log\n.pipetest/\n')
    const again = await cli(['init', dag], { cwd: root })
    expect(read(root, '.gitignore')).toBe('node_modules/\n*.log\n.pipetest/\n')
    expect(again.stdout).toContain('.gitignore already ignores .pipetest/')
  })

  it('uses the nearest .gitignore up to the repository root', async ({ tempDir }) => {
    const repo = tempDir()
    mkdirSync(join(repo, '.git'))
    write(repo, '.gitignore', 'dist/\n')
    const project = join(repo, 'pipelines', 'fraud')
    write(project, 'p.dag.json', JSON.stringify({ nodes: ['A'], edges: [] }))
    const result = await cli(['init', 'p.dag.json'], { cwd: project })
    expect(result.code).toBe(0)
    expect(readFileSync(join(repo, '.gitignore'), 'utf8')).toBe('dist/\n.pipetest/\n')
    expect(existsSync(join(project, '.gitignore'))).toBe(false)
  })

  it('honours --test-data-dir and --root', async ({ tempDir }) => {
    const { root, dag } = pythonProject(tempDir())
    const elsewhere = tempDir()
    const result = await cli(
      ['init', join(root, dag), '--root', root, '--test-data-dir', 'fixtures/pipe'],
      {
        cwd: elsewhere,
      },
    )
    expect(result.code).toBe(0)
    expect(readdirSync(join(root, 'fixtures/pipe/.specs'))).toHaveLength(3)
    expect(
      readJson(root, 'fixtures/pipe/.specs/prepare_runtime_test_spec.json').input_paths,
    ).toEqual({
      data_input: 'fixtures/pipe/prepare/input',
    })
  })
})

describe('pipetest validate', () => {
  it('lists every problem with its fix, grouped by node, and exits 1', async ({ tempDir }) => {
    const { root } = pythonProject(tempDir())
    write(
      root,
      'broken.dag.json',
      JSON.stringify({
        nodes: ['Prepare', 'Lost_training'],
        edges: [['Prepare', 'Lost_training']],
      }),
    )
    const result = await cli(['validate', 'broken.dag.json'], { cwd: root })
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/✗ Prepare \(script prepare\)\n {4}No spec file for "Prepare"/)
    expect(result.stdout).toContain('    fix: pipetest spec set Prepare --input data_input=')
    expect(result.stdout).toMatch(/✗ Lost_training \(script lost\)/)
    expect(result.stdout).toContain('Script "lost" for "Lost_training" not found')
    expect(result.stdout).toMatch(/\d+ problems in 2 of 2 nodes\n$/)
  })

  it('exits 0 with a confirmation once the specs are complete, warnings listed above it', async ({
    tempDir,
  }) => {
    const project = pythonProject(tempDir())
    const before = await cli(['validate', project.dag], { cwd: project.root })
    expect(before.code).toBe(1)
    await completeSpecs(project)
    const after = await cli(['validate', project.dag], { cwd: project.root })
    expect(after).toMatchObject({ code: 0, stderr: '' })
    // The default spec's placeholder LABEL_FIELD is set, and no script reads it.
    expect(after.stdout).toContain(
      'warning: The spec sets environ_vars.LABEL_FIELD, which scripts/prepare.py never reads',
    )
    expect(after.stdout).toMatch(
      /\n✓ All 3 nodes are ready: specs, ports and scripts agree \(test\/integration\/runtime\/\.specs\), 3 warnings\n$/,
    )
  })

  it('prints {ok, nodes, problems} with --json', async ({ tempDir }) => {
    const project = pythonProject(tempDir())
    const failing = await cli(['validate', project.dag, '--json'], { cwd: project.root })
    expect(failing.code).toBe(1)
    const report = JSON.parse(failing.stdout) as {
      ok: boolean
      nodes: number
      problems: Array<Record<string, unknown>>
    }
    expect(report.ok).toBe(false)
    expect(report.nodes).toBe(3)
    expect(report.problems.map((p) => [p.node, p.kind])).toEqual([
      ['Prepare', 'missing-spec'],
      ['Train', 'missing-spec'],
      ['Report', 'missing-spec'],
    ])
    for (const problem of report.problems) {
      expect(problem.fix).toContain(`pipetest spec set ${String(problem.node)}`)
      expect(typeof problem.message).toBe('string')
    }
    await completeSpecs(project)
    const passing = await cli(['validate', project.dag, '--json'], { cwd: project.root })
    expect(passing.code).toBe(0)
    const passed = JSON.parse(passing.stdout) as typeof report
    expect(passed).toMatchObject({ ok: true, nodes: 3 })
    expect(passed.problems.map((p) => [p.node, p.severity, p.kind, p.name])).toEqual(
      ['Prepare', 'Train', 'Report'].map((node) => [node, 'warning', 'unread-key', 'LABEL_FIELD']),
    )
  })

  it('names the placeholders an older init wrote (data_input, data_output, LABEL_FIELD=label) and says to remove them', async ({
    tempDir,
  }) => {
    const root = tempDir()
    write(root, 'data/raw/rows.csv', 'id,y\n1,0\n')
    write(
      root,
      'scripts/prep.py',
      [
        'import os',
        '',
        '',
        'def main(input_paths, output_paths, environ_vars, job_args):',
        '    os.makedirs(output_paths["processed"], exist_ok=True)',
        '    with open(os.path.join(input_paths["raw"], "rows.csv")) as f:',
        '        rows = f.read()',
        '    with open(os.path.join(output_paths["processed"], "rows.csv"), "w") as f:',
        '        f.write(rows)',
        '',
      ].join('\n'),
    )
    write(
      root,
      'pipeline.dag.json',
      JSON.stringify({ nodes: [{ name: 'Prep', script: 'scripts/prep.py' }], edges: [] }),
    )
    // What `init` wrote before it read scripts, then the user's own keys next to it.
    write(
      root,
      `${SPECS}/prep_runtime_test_spec.json`,
      JSON.stringify({
        script_name: 'prep',
        step_name: 'Prep',
        script_path: null,
        input_paths: { data_input: 'test/integration/runtime/prep/input', raw: 'data/raw' },
        output_paths: {
          data_output: 'test/integration/runtime/prep/output',
          processed: 'out/processed',
        },
        environ_vars: { LABEL_FIELD: 'label' },
        job_args: { job_type: 'testing' },
      }),
    )
    const result = await cli(['validate', 'pipeline.dag.json'], { cwd: root })
    expect(result.code).toBe(1)
    const placeholder = "the default spec's placeholder"
    expect(result.stdout).toContain(
      `fix: It is ${placeholder}: remove input_paths.data_input from the spec if scripts/prep.py does not read it, else put sample data there`,
    )
    for (const key of [
      'input_paths.data_input',
      'output_paths.data_output',
      'environ_vars.LABEL_FIELD',
    ]) {
      expect(result.stdout).toContain(
        `warning: The spec sets ${key}, which scripts/prep.py never reads (${placeholder})`,
      )
    }
  })

  it('reports a Python interpreter that cannot be found, for each node that needs it', async ({
    tempDir,
  }) => {
    const project = pythonProject(tempDir())
    await completeSpecs(project)
    const result = await cli(['validate', project.dag, '--python', 'python-does-not-exist'], {
      cwd: project.root,
    })
    expect(result.code).toBe(1)
    expect(result.stdout).toContain('Python interpreter "python-does-not-exist" not found.')
    expect(result.stdout).toContain('fix: Install it, or choose another interpreter')
    expect(result.stdout).toMatch(/3 problems in 3 of 3 nodes/)
    const ok = await cli(['validate', project.dag, '--python', 'python3'], { cwd: project.root })
    expect(ok.code).toBe(0)
  })
})
