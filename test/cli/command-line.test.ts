import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect } from 'vitest'
import { it } from '../support/fixtures.js'
import { assertBuilt, cli, cliInPty, plain, pythonProject, repoRoot, write } from './cli-harness.js'

beforeAll(assertBuilt)

const commands = [
  ['init'],
  ['validate'],
  ['spec', 'list'],
  ['spec', 'show'],
  ['spec', 'set'],
  ['spec', 'edit'],
  ['run'],
  ['graph'],
]

describe('pipetest (global)', () => {
  it('prints the commands with --help and exits 0', async ({ tempDir }) => {
    const result = await cli(['--help'], { cwd: tempDir() })
    expect(result.code).toBe(0)
    for (const command of commands) expect(result.stdout).toContain(command.join(' '))
    expect(result.stdout).toContain('--no-color')
  })

  it('lists the commands in the order a new user meets them, init first', async ({ tempDir }) => {
    const { stdout } = await cli(['--help'], { cwd: tempDir() })
    const listed = [...stdout.matchAll(/^ {2}([a-z]+(?: [a-z]+)?) {2,}/gm)].map((m) => m[1])
    expect(listed[0]).toBe('init')
    expect(listed.indexOf('record')).toBe(listed.indexOf('run') + 1)
  })

  it('prints the package version with --version', async ({ tempDir }) => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      version: string
    }
    const result = await cli(['--version'], { cwd: tempDir() })
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n` })
  })

  it('treats a missing command as a usage error (exit 2) and shows the help', async ({
    tempDir,
  }) => {
    const result = await cli([], { cwd: tempDir() })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('Usage')
    expect(result.stderr).toContain('error: Missing command')
  })

  it('suggests the closest command for a typo', async ({ tempDir }) => {
    const result = await cli(['valdate', 'x.json'], { cwd: tempDir() })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('Unknown command "valdate" (did you mean "validate"?)')
    expect(result.stderr).toContain('Run "pipetest --help" for usage.')
    const spec = await cli(['spec', 'shwo'], { cwd: tempDir() })
    expect(spec.code).toBe(2)
    expect(spec.stderr).toContain('Unknown command "spec shwo" (did you mean "spec show"?)')
  })

  it.for(commands.map((command) => [command.join(' '), command] as const))(
    'pipetest %s --help describes the command with usage, options and an example',
    async ([, command], { tempDir }) => {
      const result = await cli([...command, '--help'], { cwd: tempDir() })
      expect(result.code).toBe(0)
      expect(result.stdout).toMatch(new RegExp(`^pipetest ${command.join(' ')} — \\S`))
      expect(result.stdout).toContain('Usage')
      expect(result.stdout).toContain('Options')
      expect(result.stdout).toMatch(/Examples?\n {2}pipetest /)
    },
  )

  it('gives every command that reads specs --test-data-dir, --root and --python', async ({
    tempDir,
  }) => {
    for (const command of commands) {
      const { stdout } = await cli([...command, '--help'], { cwd: tempDir() })
      expect(stdout).toContain('--test-data-dir DIR')
      expect(stdout).toContain('default test/integration/runtime')
      expect(stdout).toContain('--root DIR')
      expect(stdout).toContain('--python PATH')
    }
  })
})

describe('usage errors (exit 2, one-line hint)', () => {
  it('rejects an unknown option', async ({ tempDir }) => {
    const result = await cli(['validate', 'pipeline.dag.json', '--strict'], { cwd: tempDir() })
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      'error: Unknown option "--strict" for "pipetest validate"\nRun "pipetest validate --help" for usage.\n',
    )
  })

  it('rejects a missing argument', async ({ tempDir }) => {
    const result = await cli(['run'], { cwd: tempDir() })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('error: Missing <dag> for "pipetest run"')
    expect(result.stderr).toContain('Run "pipetest run --help" for usage.')
  })

  it('rejects an option without its value', async ({ tempDir }) => {
    const result = await cli(['spec', 'set', 'Train', '--input'], { cwd: tempDir() })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('Option --input needs a value: --input NAME=PATH')
  })

  it('rejects extra arguments', async ({ tempDir }) => {
    const result = await cli(['graph', 'a.json', 'b.json'], { cwd: tempDir() })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('Unexpected argument "b.json" for "pipetest graph"')
  })
})

describe('bad input (exit 1, the file and the fix, no stack trace)', () => {
  it('names a DAG file that does not exist', async ({ tempDir }) => {
    const cwd = tempDir()
    const result = await cli(['validate', 'missing.dag.json'], { cwd })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`DAG file ${join(cwd, 'missing.dag.json')} does not exist`)
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })

  it('points at the line and column of malformed DAG JSON', async ({ tempDir }) => {
    const cwd = tempDir()
    write(cwd, 'broken.dag.json', '{\n  "nodes": ["A",],\n  "edges": []\n}\n')
    const result = await cli(['graph', 'broken.dag.json'], { cwd })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/broken\.dag\.json is not valid JSON at line 2, column \d+/)
    expect(result.stderr).toContain('Fix the JSON syntax')
    expect(result.stderr).not.toContain('this is a bug')
  })

  it('shows the cycle of a cyclic DAG', async ({ tempDir }) => {
    const cwd = tempDir()
    write(
      cwd,
      'cycle.dag.json',
      JSON.stringify({
        nodes: ['A', 'B', 'C'],
        edges: [
          ['A', 'B'],
          ['B', 'C'],
          ['C', 'A'],
        ],
      }),
    )
    const result = await cli(['run', 'cycle.dag.json'], { cwd })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('The DAG has a cycle: A → B → C → A')
    expect(result.stderr).toContain('Remove one of the edges')
  })

  it('names an unknown node and lists the known ones', async ({ tempDir }) => {
    const { root, dag } = pythonProject(tempDir())
    const run = await cli(['run', dag, '--only', 'Trian'], { cwd: root })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('--only names "Trian", which is not a node of')
    expect(run.stderr).toContain('Did you mean "Train"? Nodes: Prepare, Train, Report.')

    const set = await cli(['spec', 'set', 'Trian', '--dag', dag, '--notes', 'x'], { cwd: root })
    expect(set.code).toBe(1)
    expect(set.stderr).toContain('Node "Trian" is not in the DAG')
    expect(set.stderr).toContain('Prepare, Train, Report')
  })
})

describe('colours', () => {
  it('are on in a terminal and off with NO_COLOR or --no-color', async ({ tempDir }) => {
    const cwd = tempDir()
    const coloured = await cliInPty(['--help'], { cwd })
    expect(coloured.stdout).toContain('\u001b[1m')
    const noColorEnv = await cliInPty(['--help'], { cwd, env: { NO_COLOR: '1' } })
    expect(noColorEnv.stdout).not.toContain('\u001b[')
    const noColorFlag = await cliInPty(['--no-color', '--help'], { cwd })
    expect(noColorFlag.stdout).not.toContain('\u001b[')
    expect(plain(coloured.stdout)).toBe(noColorFlag.stdout)
  })

  it('are off when the output is not a terminal', async ({ tempDir }) => {
    const result = await cli(['--help'], { cwd: tempDir() })
    expect(result.stdout).not.toContain('\u001b[')
  })
})
