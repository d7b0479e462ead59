import { readFileSync } from 'node:fs'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { execa } from 'execa'
import { expect } from 'vitest'
import { repoRoot, test } from '../../../test/support/fixtures.js'
import { readJUnit } from './junit.js'
import { assertBuilt, childEnv } from './run-vitest.js'

// Installs the packed packages into a project outside this repository, as a user would.
// Needs npm and the registry (or a warm npm cache); set PIPETEST_SKIP_PACK=1 to skip offline.
// Both ends of the peer range are checked: the Vitest installed here and 3.2.4, the oldest
// with what the adapter needs (typed matchers, annotations, configureVitest);
// PIPETEST_PACK_VITEST=3.2.4,4.1.12 picks others.
const skip = process.env.PIPETEST_SKIP_PACK === '1'
const installed = (
  JSON.parse(readFileSync(join(repoRoot, 'node_modules/vitest/package.json'), 'utf8')) as {
    version: string
  }
).version
const vitestVersions = process.env.PIPETEST_PACK_VITEST?.split(',') ?? [installed, '3.2.4']

const files: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'pack-check', private: true, type: 'module' }, null, 2),
  'vitest.config.ts': [
    "import { defineConfig } from 'vitest/config'",
    "import { pipetest } from '@pipetest/vitest/plugin'",
    '',
    'export default defineConfig({ plugins: [pipetest()] })',
    '',
  ].join('\n'),
  'pipeline.dag.json': JSON.stringify({
    name: 'tiny',
    nodes: [{ name: 'Double', script: 'steps/double.py' }],
    edges: [],
  }),
  'steps/double.py': [
    'import os',
    '',
    '',
    'def main(input_paths, output_paths, environ_vars, job_args):',
    '    with open(os.path.join(input_paths["numbers"], "numbers.txt")) as f:',
    '        numbers = [int(line) for line in f if line.strip()]',
    '    os.makedirs(output_paths["doubled"], exist_ok=True)',
    '    with open(os.path.join(output_paths["doubled"], "doubled.txt"), "w") as f:',
    '        f.write("\\n".join(str(2 * n) for n in numbers) + "\\n")',
    '',
  ].join('\n'),
  'test/integration/runtime/double/input/numbers.txt': '1\n2\n3\n',
  'test/integration/runtime/.specs/double_runtime_test_spec.json': JSON.stringify({
    script_name: 'double',
    step_name: 'Double',
    script_path: null,
    input_paths: { numbers: 'test/integration/runtime/double/input' },
    output_paths: { doubled: 'test/integration/runtime/double/output' },
    environ_vars: {},
    job_args: {},
    last_updated: null,
    user_notes: null,
  }),
  'pipeline.test.ts': [
    "import { expect, test } from 'vitest'",
    "import { describePipeline, runScript } from '@pipetest/vitest'",
    '',
    "describePipeline('pipeline.dag.json')",
    '',
    "test('Double writes its outputs', async () => {",
    "  expect(await runScript('Double', { dag: 'pipeline.dag.json' })).toProduceOutputs(['doubled'])",
    '})',
    '',
  ].join('\n'),
}

// test.for, not test.each: it passes the test context (the tempDir fixture) after the row.
test.skipIf(skip).for(vitestVersions)(
  'npm pack + install into a fresh project with vitest@%s: describePipeline runs there',
  async (vitestVersion, { tempDir }) => {
    assertBuilt()
    const work = tempDir('pipetest-pack-')
    const env = childEnv()
    await execa('npm', ['pack', '--pack-destination', work], {
      cwd: repoRoot,
      env,
      extendEnv: false,
    })
    await execa('npm', ['pack', '-w', '@pipetest/vitest', '--pack-destination', work], {
      cwd: repoRoot,
      env,
      extendEnv: false,
    })
    const tarballs = (await readdir(work)).filter((name) => name.endsWith('.tgz')).sort()
    expect(tarballs).toEqual(['pipetest-0.1.0.tgz', 'pipetest-vitest-0.1.0.tgz'])

    const project = join(work, 'project')
    for (const [file, content] of Object.entries(files)) {
      await mkdir(dirname(join(project, file)), { recursive: true })
      await writeFile(join(project, file), content)
    }
    await execa(
      'npm',
      [
        'install',
        ...tarballs.map((name) => join(work, name)),
        `vitest@${vitestVersion}`,
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
      ],
      { cwd: project, env, extendEnv: false },
    )

    // The core's CommonJS and ES entries and its CLI load from the install; the adapter has no
    // CommonJS build (Vitest has none), but Node's require() of ES modules loads its plugin in
    // a CommonJS config (the adapter itself only loads inside a Vitest run, as Vitest does).
    const load = (code: string, type: 'commonjs' | 'module') =>
      execa('node', [`--input-type=${type}`, '-e', code], { cwd: project, env, extendEnv: false })
    await load(
      "if (typeof require('pipetest').runScript !== 'function') process.exit(1)",
      'commonjs',
    )
    await load("import { runScript } from 'pipetest'; if (!runScript) process.exit(1)", 'module')
    await load("require('@pipetest/vitest/plugin').pipetest()", 'commonjs')
    const help = await execa(join(project, 'node_modules/.bin/pipetest'), ['--help'], {
      cwd: project,
      env,
      extendEnv: false,
    })
    expect(help.stdout).toContain('pipetest <command> [options]')

    const run = await execa(
      join(project, 'node_modules/.bin/vitest'),
      [
        'run',
        '--reporter=default',
        '--reporter=@pipetest/vitest/junit',
        '--outputFile.junit=reports/junit.xml',
      ],
      { cwd: project, env, extendEnv: false, reject: false, all: true },
    )
    expect(run.exitCode, run.all).toBe(0)
    const cases = readJUnit(await readFile(join(project, 'reports/junit.xml'), 'utf8'))
    expect(cases.map((c) => [c.name, c.status])).toEqual([
      ['pipeline tiny > specs > Double has a complete spec', 'passed'],
      ['pipeline tiny > scripts > Double runs and writes doubled', 'passed'],
      ['pipeline tiny > flow > tiny: the whole DAG runs in topological order', 'passed'],
      ['Double writes its outputs', 'passed'],
    ])
    expect(cases[1]!.properties).toMatchObject({ node: 'Double', runner: 'python', exitCode: '0' })
  },
)
