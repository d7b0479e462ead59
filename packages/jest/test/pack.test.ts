import { cp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { execa } from 'execa'
import { describe, expect } from 'vitest'
import { projectsDir, repoRoot, test } from '../../../test/support/fixtures.js'
import { parseJunit } from './junit-xml.js'

/** The versions this repository tests with, so npm finds them in its cache. */
function installedVersion(name: string): string {
  const require = createRequire(join(repoRoot, 'package.json'))
  return (require(`${name}/package.json`) as { version: string }).version
}

/**
 * Both ends of the peer range (`jest >=29.7.0 <31`): the Jest installed here, and Jest 29.7
 * with the companions a Jest 29 project has. PIPETEST_PACK_JEST=30.2.0,29.7.0 picks others.
 */
const jestVersions = process.env.PIPETEST_PACK_JEST?.split(',') ?? [
  installedVersion('jest'),
  '29.7.0',
]

function toolsFor(jestVersion: string): string[] {
  const major = jestVersion.split('.')[0]!
  const sameAsHere = jestVersion === installedVersion('jest')
  return [
    `jest@${jestVersion}`,
    `@types/jest@${sameAsHere ? installedVersion('@types/jest') : major}`,
    `ts-jest@${installedVersion('ts-jest')}`,
    `typescript@${installedVersion('typescript')}`,
    `jest-junit@${installedVersion('jest-junit')}`,
  ]
}

describe.each(jestVersions)('installed from packs, with jest@%s', (jestVersion) => {
  let installed: string

  // Pack the core and the adapter and install them, with Jest and its usual companions, into
  // a fresh project: what a user gets from the registry. One installation for the Jest
  // version's tests (installing is the slow part), removed after the file's last test.
  test.beforeAll(async ({ fileTempDir }) => {
    const root = fileTempDir('pipetest-jest-pack-')
    const packs = join(root, 'packs')
    installed = join(root, 'installed')
    await mkdir(packs)
    await mkdir(installed)
    await execa('npm', ['pack', '--pack-destination', packs], { cwd: repoRoot })
    await execa('npm', ['pack', '-w', '@pipetest/jest', '--pack-destination', packs], {
      cwd: repoRoot,
    })
    const tarballs = (await readdir(packs)).map((name) => join(packs, name))
    expect(tarballs).toHaveLength(2)
    await writeFile(
      join(installed, 'package.json'),
      JSON.stringify({ name: 'user', private: true }),
    )
    await execa(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        ...tarballs,
        ...toolsFor(jestVersion),
      ],
      { cwd: installed },
    )
  }, 300_000)

  test("Jest's own packages come from the user's Jest, never a second major version", async () => {
    const { stdout } = await execa(
      'npm',
      ['ls', '--all', '--json', 'jest-environment-node', '@jest/environment'],
      { cwd: installed },
    )
    const versions = new Set<string>()
    const walk = (deps: Record<string, { version: string; dependencies?: object }> = {}) => {
      for (const [name, dep] of Object.entries(deps)) {
        if (name === 'jest-environment-node' || name === '@jest/environment') {
          versions.add(dep.version.split('.')[0]!)
        }
        walk(dep.dependencies as typeof deps)
      }
    }
    walk((JSON.parse(stdout) as { dependencies: Parameters<typeof walk>[0] }).dependencies)
    expect([...versions]).toEqual([jestVersion.split('.')[0]])
  })

  /** A user project beside the installation: a fixture pipeline, `files`, and the packages. */
  async function userProject(
    name: string,
    files: Record<string, string>,
    pipeline = 'passing',
  ): Promise<string> {
    const project = join(installed, '..', name)
    await mkdir(join(project, '__tests__'), { recursive: true })
    await symlink(join(installed, 'node_modules'), join(project, 'node_modules'), 'dir')
    for (const part of ['pipeline.dag.json', 'scripts', 'test']) {
      await cp(join(projectsDir, pipeline, part), join(project, part), { recursive: true })
    }
    for (const [file, content] of Object.entries(files)) {
      await writeFile(join(project, file), content)
    }
    return project
  }

  /** `jest --ci` with jest-junit as CI runs it; the test count and the properties it reported. */
  async function runCiJest(project: string, env: Record<string, string> = {}) {
    // The projects share one node_modules here, and with it the properties cache; a user's
    // project has its own.
    await rm(join(project, 'node_modules', '.cache', 'pipetest'), { recursive: true, force: true })
    const run = await execa(
      join(project, 'node_modules', '.bin', 'jest'),
      ['--ci', '--reporters=default', '--reporters=jest-junit'],
      { cwd: project, reject: false, all: true, env: { NO_COLOR: '1', ...env } },
    )
    expect(run.all).toContain('Tests:       11 passed, 11 total')
    expect(run.exitCode).toBe(0)
    const testcases = parseJunit(await readFile(join(project, 'junit.xml'), 'utf8'))
    expect(testcases).toHaveLength(11)
    const train = testcases.find((testcase) =>
      testcase.name.endsWith('Train runs and writes model_output'),
    )
    expect(train?.properties).toMatchObject({ node: 'Train', runner: 'python', exitCode: '0' })
    expect(train?.properties.runDir).toContain(
      join(project, 'test', 'integration', 'runtime', '.pipetest'),
    )
  }

  const pipelineTest = (expectImport: string) =>
    [
      expectImport,
      "import { describePipeline, runScript } from '@pipetest/jest'",
      '',
      "describePipeline('pipeline.dag.json')",
      '',
      "test('Preprocess writes what Train reads', async () => {",
      "  expect(await runScript('Preprocess')).toProduceOutputsFor('Train')",
      '})',
      '',
    ].join('\n')

  test('a CommonJS project with ts-jest runs a pipeline test, properties in the JUnit file', async () => {
    // The configuration of packages/jest/README.md's quick start. ts-jest type-checks the test:
    // the global `expect` must know the matchers.
    const project = await userProject('commonjs', {
      'package.json': JSON.stringify({ name: 'commonjs-user', private: true }),
      'jest.config.js': [
        'module.exports = {',
        "  preset: '@pipetest/jest',",
        "  transform: { '^.+\\\\.tsx?$': 'ts-jest' },",
        '}',
        '',
      ].join('\n'),
      // jest-junit's default properties file name: no jest-junit option needed.
      'junitTestCaseProperties.js': "module.exports = require('@pipetest/jest/junit-properties')\n",
      'tsconfig.json': JSON.stringify({
        compilerOptions: { module: 'commonjs', target: 'es2022', strict: true },
      }),
      '__tests__/pipeline.test.ts': pipelineTest(''),
    })

    await runCiJest(project)
    // The environment wrote where the properties module looks by default: the project's cache.
    const cache = join(project, 'node_modules', '.cache', 'pipetest', 'jest-properties')
    expect((await readdir(cache)).length).toBeGreaterThan(0)
  })

  test('a test blocked by a failed node is reported skipped, with blockedBy in JUnit and the HTML report', async () => {
    const project = await userProject(
      'blocked',
      {
        'package.json': JSON.stringify({ name: 'blocked-user', private: true }),
        'jest.config.js': "module.exports = { testEnvironment: '@pipetest/jest/environment' }\n",
        'junitTestCaseProperties.js':
          "module.exports = require('@pipetest/jest/junit-properties')\n",
        '__tests__/pipeline.test.js':
          "const { describePipeline } = require('@pipetest/jest')\ndescribePipeline('pipeline.dag.json')\n",
        // The façade as a test file requires it in Jest's sandbox (pipetest is built as CommonJS).
        '__tests__/facade.test.js': [
          "const { RuntimeTester, readData, toRunSuccessfully } = require('pipetest')",
          "test('the façade loads in the sandbox', () => {",
          '  expect([RuntimeTester, readData, toRunSuccessfully].map((value) => typeof value))',
          "    .toEqual(['function', 'function', 'function'])",
          '})',
          '',
        ].join('\n'),
      },
      'failing-node-blocks-downstream',
    )
    // Jest's main process loads the reporter with Node's own require(), and the reporter loads
    // the report renderer (pipetest/internal/report) outside the sandbox.
    const run = await execa(
      join(project, 'node_modules', '.bin', 'jest'),
      [
        '--ci',
        '--reporters=default',
        '--reporters=jest-junit',
        '--reporters=@pipetest/jest/reporter',
      ],
      { cwd: project, reject: false, all: true, env: { NO_COLOR: '1' } },
    )
    // Transform's one failed execution fails the three tests that ran it; Load's two are skipped.
    expect(run.all).toContain('Tests:       3 failed, 2 skipped, 5 passed, 10 total')
    const report = await readFile(join(project, 'reports', 'pipetest-report.html'), 'utf8')
    expect(report).toMatch(/<g class="node failed" data-node="\d+" data-name="Transform"/)
    const skipped = parseJunit(await readFile(join(project, 'junit.xml'), 'utf8')).filter(
      (testcase) => testcase.skipped,
    )
    expect(skipped.map((testcase) => testcase.properties.blockedBy)).toEqual([
      'Transform',
      'Transform',
    ])
  })

  test('an ES module project that opts in (--experimental-vm-modules) runs it too', async () => {
    const project = await userProject('esm', {
      'package.json': JSON.stringify({
        name: 'esm-user',
        private: true,
        type: 'module',
        // In an ES module package the one-line properties file must be CommonJS: .cjs.
        'jest-junit': { testCasePropertiesFile: 'junitTestCaseProperties.cjs' },
      }),
      'jest.config.js':
        "export default { preset: 'ts-jest/presets/default-esm', testEnvironment: '@pipetest/jest/environment' }\n",
      'junitTestCaseProperties.cjs':
        "module.exports = require('@pipetest/jest/junit-properties')\n",
      // The recipe of packages/jest/README.md, as written there.
      'tsconfig.json': JSON.stringify({
        compilerOptions: {
          module: 'ESNext',
          moduleResolution: 'Bundler',
          target: 'ES2022',
          strict: true,
        },
      }),
      // `expect` from @jest/globals: its matcher types come from `declare module 'expect'`.
      '__tests__/pipeline.test.ts': pipelineTest("import { expect, test } from '@jest/globals'"),
    })

    await runCiJest(project, { NODE_OPTIONS: '--experimental-vm-modules' })
  })
})
