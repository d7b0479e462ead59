import { PassThrough } from 'node:stream'
import { describe, expect } from 'vitest'
import { test } from '../support/fixtures.js'
import { PipelineTestingSpecBuilder } from '../../src/builder/index.js'
import { parseJobArg, showJobArg } from '../../src/spec/index.js'
import { PipelineDAG } from '../../src/dag/index.js'
import { updateScriptSpecInteractive } from '../../src/cli/spec-prompts.js'
import { tempProject, specRel, type TempProject } from '../builder/temp-project.js'

let project: TempProject
let builder: PipelineTestingSpecBuilder

test.beforeEach(async ({ tempDir }) => {
  project = tempProject(tempDir())
  builder = new PipelineTestingSpecBuilder({ rootDir: project.root })
  await project.write('scripts/prep.py', 'def main(i, o, e, j): pass\n')
})

/** A terminal stand-in: what the prompts wrote, and a way to type answers. */
function terminal(options: { tty?: boolean } = {}) {
  const input = new PassThrough()
  const output = new PassThrough()
  if (options.tty) Object.assign(output, { isTTY: true, columns: 120 })
  let text = ''
  output.on('data', (chunk: Buffer) => (text += chunk.toString()))
  return {
    input,
    output,
    type: (...lines: string[]) => input.write(lines.map((line) => `${line}\n`).join('')),
    transcript: () => text,
    /** Resolves once the prompts have written `fragment`, so answers can follow questions. */
    waitFor: (fragment: string) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (text.includes(fragment)) {
            output.off('data', check)
            resolve()
          }
        }
        output.on('data', check)
        setImmediate(check)
      }),
  }
}

describe('updateScriptSpecInteractive', () => {
  test('asks for every field with defaults and saves the answers once, at the end', async () => {
    const t = terminal()
    const done = updateScriptSpecInteractive(builder, 'Prep_training', {
      input: t.input,
      output: t.output,
      interactive: true,
    })
    t.type(
      '', // script path: keep the one found by name
      'data/raw', // input data_input
      'labels=data/labels', // add an input
      '', // no more inputs
      '', // output data_output: keep
      '', // no more outputs
      'LABEL_FIELD=target', // env: change
      'DEBUG=1',
      '',
      'n_estimators=100', // job args: numbers, booleans and lists are JSON
      'shuffle=false',
      'splits=["train", "val"]',
      'job_type=training',
      '-unused', // not there: re-asked
      '',
      'Needs the raw extract.',
    )
    const spec = await done

    expect(spec).toMatchObject({
      scriptName: 'prep',
      stepName: 'Prep_training',
      inputPaths: { data_input: 'data/raw', labels: 'data/labels' },
      outputPaths: { data_output: 'test/integration/runtime/prep/output' },
      environVars: { LABEL_FIELD: 'target', DEBUG: '1' },
      jobArgs: {
        job_type: 'training',
        n_estimators: 100,
        shuffle: false,
        splits: ['train', 'val'],
      },
      userNotes: 'Needs the raw extract.',
    })
    expect(spec.scriptPath).toBeUndefined()
    const saved = await project.readJson(specRel('prep'))
    expect(saved).toMatchObject({
      script_name: 'prep',
      script_path: null,
      input_paths: { data_input: 'data/raw', labels: 'data/labels' },
      job_args: {
        job_type: 'training',
        n_estimators: 100,
        shuffle: false,
        splits: ['train', 'val'],
      },
      user_notes: 'Needs the raw extract.',
    })
    const transcript = t.transcript()
    expect(transcript).toContain('Script path [scripts/prep.py]: ')
    expect(transcript).toContain('Input "data_input" path [test/integration/runtime/prep/input]: ')
    expect(transcript).toContain('Environment variables: LABEL_FIELD=label')
    expect(transcript).toContain('Job arguments: job_type=testing')
    expect(transcript).toContain('✗ there is no job argument "unused"')
    expect(transcript).toContain(`Saved ${specRel('prep')}`)
  })

  test('answers one question at a time, as a person would', async () => {
    const t = terminal()
    const done = updateScriptSpecInteractive(builder, 'Prep', {
      input: t.input,
      output: t.output,
      interactive: true,
    })
    const steps: Array<[string, string]> = [
      ['Script path', 'scripts/prep.py'],
      ['Input "data_input" path', '-'],
      ['Add an input', ''],
      ['Output "data_output" path', 'out/prep'],
      ['Add an output', ''],
      ['Environment variable (', '-LABEL_FIELD'],
      ['Environment variables: none', ''],
      ['Job argument (', ''],
      ['Notes', ''],
    ]
    for (const [question, answer] of steps) {
      await t.waitFor(question)
      t.type(answer)
    }
    const spec = await done
    expect(spec).toMatchObject({
      scriptPath: 'scripts/prep.py',
      inputPaths: {},
      outputPaths: { data_output: 'out/prep' },
      environVars: {},
      jobArgs: { job_type: 'testing' },
    })
    expect(spec.userNotes).toBeUndefined()
  })

  test('re-asks with a one-line reason until an answer is valid', async () => {
    const t = terminal()
    const done = updateScriptSpecInteractive(builder, 'Prep', {
      input: t.input,
      output: t.output,
      interactive: true,
    })
    t.type(
      'nowhere/prep.py', // no such file
      'scripts/prep.py',
      '', // keep input
      'no-equals-sign', // not NAME=PATH
      '1bad=path', // bad name
      'empty=', // empty path
      '',
      '-', // remove the only output...
      '', // ...then an output is required
      'result=data/result',
      '',
      'BAD-NAME=1', // env names are identifiers
      '',
      '',
      '',
    )
    const spec = await done
    expect(spec.outputPaths).toEqual({ result: 'data/result' })
    // Without a terminal the answers are not echoed, so each reason follows its question.
    const reasons = t.transcript().match(/✗ .*/g)
    expect(reasons).toEqual([
      `✗ no file at ${project.path('nowhere/prep.py')} (paths are relative to ${project.root})`,
      '✗ expected NAME=PATH, e.g. data_input=data/raw',
      '✗ "1bad" is not a valid name (letters, digits and _)',
      '✗ the path of "empty" is empty',
      '✗ a spec needs at least one output',
      '✗ "BAD-NAME" is not a valid name (letters, digits and _)',
    ])
  })

  test('shows the current values of an existing spec and keeps what is not changed', async () => {
    await project.write(specRel('prep'), {
      script_name: 'prep',
      step_name: 'Prep',
      script_path: 'scripts/prep.py',
      input_paths: { data_input: 'data/in' },
      output_paths: { data_output: 'data/out' },
      environ_vars: {},
      job_args: { seed: '42' },
      user_notes: 'old notes',
      owner: 'data-team',
    })
    const t = terminal()
    const done = updateScriptSpecInteractive(builder, 'Prep', {
      input: t.input,
      output: t.output,
      interactive: true,
    })
    t.type('', '', '', '', '', '', '', '')
    const spec = await done
    expect(spec).toMatchObject({
      scriptPath: 'scripts/prep.py',
      inputPaths: { data_input: 'data/in' },
      jobArgs: { seed: '42' },
      userNotes: 'old notes',
      extra: { owner: 'data-team' },
    })
    const transcript = t.transcript()
    expect(transcript).toContain('Input "data_input" path [data/in]: ')
    expect(transcript).toContain('Job arguments: seed="42"')
    expect(transcript).toContain('Notes [old notes]: ')
    expect((await project.readJson(specRel('prep'))).owner).toBe('data-team')
  })

  test('writes nothing when the input ends before the last answer', async () => {
    const before = await project.snapshot()
    const t = terminal()
    const done = updateScriptSpecInteractive(builder, 'Prep', {
      input: t.input,
      output: t.output,
      interactive: true,
    })
    t.type('', 'data/raw', '')
    t.input.end()
    await expect(done).rejects.toMatchObject({
      code: 'PROMPT_CANCELLED',
      message: expect.stringContaining('nothing was saved'),
    })
    expect(await project.snapshot()).toEqual(before)
  })

  test('writes nothing on Ctrl-C', async () => {
    await project.write(specRel('prep'), {
      script_name: 'prep',
      step_name: 'Prep',
      input_paths: { data_input: 'data/in' },
      output_paths: { data_output: 'data/out' },
    })
    const before = await project.snapshot()
    const t = terminal({ tty: true })
    const done = updateScriptSpecInteractive(builder, 'Prep', {
      input: t.input,
      output: t.output,
      interactive: true,
    })
    await t.waitFor('Script path')
    t.input.write('scripts/prep.py\r')
    await t.waitFor('Input "data_input" path')
    t.input.write('changed\r')
    await t.waitFor('Add an input')
    t.input.write('\x03')
    await expect(done).rejects.toMatchObject({
      code: 'PROMPT_CANCELLED',
      message: expect.stringContaining('Interrupted (Ctrl-C)'),
    })
    expect(await project.snapshot()).toEqual(before)
  })

  test('refuses to prompt without a terminal and names the non-interactive command', async () => {
    const t = terminal()
    await expect(
      updateScriptSpecInteractive(builder, 'Prep', { input: t.input, output: t.output }),
    ).rejects.toMatchObject({
      code: 'NOT_A_TTY',
      node: 'Prep',
      message: expect.stringContaining(
        'pipetest spec set Prep --input NAME=PATH --output NAME=PATH --script PATH',
      ),
    })
    expect(t.transcript()).toBe('')
  })

  test.skipIf(process.stdin.isTTY === true)(
    'refuses to prompt when the real stdin is not a terminal',
    async () => {
      await expect(updateScriptSpecInteractive(builder, 'Prep')).rejects.toMatchObject({
        code: 'NOT_A_TTY',
      })
    },
  )

  test('fails before prompting when the spec file is broken or the node unknown', async () => {
    await project.write(specRel('prep'), '{"script_name": "prep", "step_name": 3}')
    const t = terminal()
    await expect(
      updateScriptSpecInteractive(builder, 'Prep', {
        input: t.input,
        output: t.output,
        interactive: true,
      }),
    ).rejects.toMatchObject({ code: 'SPEC_INVALID', field: 'step_name' })
    await expect(
      updateScriptSpecInteractive(builder, 'Other', {
        input: t.input,
        output: t.output,
        interactive: true,
        dag: new PipelineDAG().addNode('Prep'),
      }),
    ).rejects.toMatchObject({ code: 'UNKNOWN_NODE' })
    expect(t.transcript()).toBe('')
  })
})

describe('job argument values', () => {
  test.each<[string, unknown]>([
    ['training', 'training'],
    ['3', 3],
    ['true', true],
    ['[1, 2]', [1, 2]],
    ['{"a": 1}', { a: 1 }],
    ['"3"', '3'],
    ['', ''],
  ])('parses %j as %j and shows it so that it parses back', (text, value) => {
    expect(parseJobArg(text)).toEqual(value)
    expect(parseJobArg(showJobArg(value))).toEqual(value)
  })
})
