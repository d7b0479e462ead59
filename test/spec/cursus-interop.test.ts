import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { beforeAll, describe, expect } from 'vitest'
import { test } from '../support/fixtures.js'
import { PipelineTestingSpecBuilder } from '../../src/index.js'
import { PipelineRun } from '../../src/engine/index.js'
import { tempProject, specRel, type TempProject } from '../builder/temp-project.js'
import { assertBuilt, cli } from '../cli/cli-harness.js'

/**
 * A spec written by cursus reaches main() with the values and types cursus gives it, and
 * saves back unchanged: numbers are read and written as written (1.0 stays a float, 2**63
 * stays exact, NaN is accepted), and empty job_args give job_type as cursus does. Real
 * Python on both sides: cursus' side is test/fixtures/cursus/cursus_like.py.
 */

const fixtures = resolve(import.meta.dirname, '../fixtures/cursus')
const cursus = (...args: string[]) =>
  execFileSync('python3', [join(fixtures, 'cursus_like.py'), ...args], { encoding: 'utf8' })

let project: TempProject
beforeAll(assertBuilt)
test.beforeEach(async ({ tempDir }) => {
  project = tempProject(tempDir('pipetest-cursus-'))
  mkdirSync(project.path('scripts'))
  for (const script of ['train', 'score']) {
    copyFileSync(join(fixtures, 'report_job_args.py'), project.path(`scripts/${script}.py`))
  }
  await project.write('pipeline.dag.json', { nodes: ['Train_training', 'Score'], edges: [] })
  mkdirSync(project.path('test/integration/runtime/.specs'), { recursive: true })
  const spec = (script: string, step: string, jobArgs: string) =>
    `{"script_name": "${script}", "step_name": "${step}", "script_path": None, "input_paths": {}, "output_paths": {"report": "out/${script}/report.json"}, "environ_vars": {"LABEL_FIELD": "label"}, "job_args": ${jobArgs}, "last_updated": "2025-09-12T14:03:27.512345", "user_notes": None}`
  cursus(
    'write',
    project.path(specRel('train')),
    spec(
      'train',
      'Train_training',
      `{"lr": 1.0, "seed": 2**63, "eps": float("nan"), "cap": float("-inf"), "n": 3, "name": "x"}`,
    ),
  )
  cursus('write', project.path(specRel('score')), spec('score', 'Score', '{}'))
})

async function mainArgsUnderPipetest(node: string): Promise<unknown> {
  const builder = new PipelineTestingSpecBuilder({ rootDir: project.root })
  const run = new PipelineRun(builder.buildFromDag(project.path('pipeline.dag.json')))
  try {
    const result = await run.testScript(node)
    expect(result.status, result.errorMessage).toBe('passed')
    return JSON.parse(readFileSync(result.outputs[0]!.path, 'utf8'))
  } finally {
    await run.close()
  }
}

describe('specs written by cursus', () => {
  test('reach main() with the same values and types as under cursus', async () => {
    const expected = JSON.parse(cursus('main-args', project.path(specRel('train'))))
    expect(expected).toMatchObject({ lr: ['float', '1.0'], seed: ['int', '9223372036854775808'] })
    expect(await mainArgsUnderPipetest('Train_training')).toEqual(expected)
  })

  test('with empty job_args, main() gets job_type as under cursus', async () => {
    const expected = JSON.parse(cursus('main-args', project.path(specRel('score'))))
    expect(expected).toEqual({ job_type: ['str', "'testing'"] })
    expect(await mainArgsUnderPipetest('Score')).toEqual(expected)
  })

  test('round-trip byte for byte through spec show and spec set of another field', async () => {
    const file = project.path(specRel('train'))
    const before = readFileSync(file, 'utf8')
    for (const args of [
      ['spec', 'show', 'Train_training'],
      ['spec', 'show', 'train', '--json'],
    ]) {
      const shown = await cli(args, { cwd: project.root })
      expect(shown.code, shown.stderr).toBe(0)
    }
    expect(readFileSync(file, 'utf8')).toBe(before)

    const set = await cli(
      ['spec', 'set', 'Train_training', '--dag', 'pipeline.dag.json', '--notes', 'checked'],
      { cwd: project.root },
    )
    expect(set.code, set.stderr).toBe(0)
    const after = readFileSync(file, 'utf8')
    const saved = JSON.parse(after.replace(/NaN|-Infinity/g, 'null')) as { last_updated: string }
    // cursus itself, setting the same two fields, writes exactly these bytes.
    const withNotes = join(project.root, 'with-notes.json')
    writeFileSync(withNotes, before)
    const expected = cursus('resave', withNotes, 'user_notes', '"checked"')
    // Without a trailing newline, as json.dump writes (and as the file was).
    expect(after).toBe(
      expected.replace(
        /"last_updated": "[^"]*"/,
        `"last_updated": ${JSON.stringify(saved.last_updated)}`,
      ),
    )
    expect(after).toContain('"lr": 1.0,')
    expect(after).toContain('"seed": 9223372036854775808,')
    expect(after).toContain('"eps": NaN,')
  })

  test('a spec file that ends with a newline keeps it when rewritten', async () => {
    const file = project.path(specRel('score'))
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n`)
    const set = await cli(
      ['spec', 'set', 'Score', '--dag', 'pipeline.dag.json', '--notes', 'checked'],
      { cwd: project.root },
    )
    expect(set.code, set.stderr).toBe(0)
    const after = readFileSync(file, 'utf8')
    expect(after).toContain('"user_notes": "checked"')
    expect(after.endsWith('}\n')).toBe(true)
    expect(after.endsWith('\n\n')).toBe(false)
  })

  test('spec show gives the job_type main() will get when job_args are empty', async () => {
    const shown = await cli(['spec', 'show', 'Score'], {
      cwd: project.root,
      env: { NO_COLOR: '1' },
    })
    expect(shown.code, shown.stderr).toBe(0)
    expect(shown.stdout).toMatch(/args\s+job_type=testing \(default: job_args is empty\)/)
  })
})
