import { chmod, copyFile, readFile, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { it } from '../support/fixtures.js'
import { expandCommandTemplate, jobArgsToFlags } from '../../src/runners/command.js'
import { runExecution, selectRunner } from '../../src/runners/index.js'
import { fixture, makeRequest } from './helpers.js'

async function executableCopy(root: string, name: string, mode = 0o755): Promise<string> {
  const target = join(root, name)
  await copyFile(fixture('command', name), target)
  await chmod(target, mode)
  return target
}

describe('command runner', () => {
  it('fills {script}, {input:…}, {output:…} and {arg:…} and passes special characters and other braces literally', async ({
    tempDir,
  }) => {
    const root = tempDir()
    const resultFile = join(root, 'argv.json')
    const tricky = [
      'two words',
      `it's "quoted"`,
      '$(touch pwned)',
      '; touch pwned2',
      '`touch pwned3`',
      '* ~ $HOME',
      '${PATH}',
      '{print $1}',
    ]
    const request = await makeRequest(root, {
      runner: 'command',
      scriptPath: fixture('command', 'print_args.mjs'),
      command: [
        process.execPath,
        '{script}',
        '--in',
        '{input:data_input}',
        '--out={output:result}',
        '{arg:label}',
        '{arg:ratio}',
        '{"json": "stays literal"}',
        ...tricky,
      ],
      inputPaths: { data_input: '/data/in put' },
      outputPaths: { result: resultFile },
      jobArgs: { label: 'is fraud; rm -rf /', ratio: 0.7 },
    })

    const report = await runExecution(request)

    expect(report.outcome).toBe('success')
    expect(JSON.parse(await readFile(resultFile, 'utf8'))).toEqual([
      '--in',
      '/data/in put',
      `--out=${resultFile}`,
      'is fraud; rm -rf /',
      '0.7',
      '{"json": "stays literal"}',
      ...tricky,
    ])
    for (const name of ['pwned', 'pwned2', 'pwned3']) {
      expect(existsSync(join(root, name))).toBe(false)
    }
  })

  it('runs the script itself with job args as --name value flags when there is no template', async ({
    tempDir,
  }) => {
    const root = tempDir()
    const script = await executableCopy(root, 'flags.sh')
    const request = await makeRequest(root, {
      runner: 'command',
      scriptPath: script,
      inputPaths: { data_input: '/data/input' },
      jobArgs: { job_type: 'training', verbose: true, dry_run: false, ratio: 0.5, note: 'a b' },
    })

    const report = await runExecution(request)

    expect(report.outcome).toBe('success')
    expect(report.stdoutTail.split('\n')).toEqual([
      '--job_type',
      'training',
      '--verbose',
      '--ratio',
      '0.5',
      '--note',
      'a b',
      'input=/data/input',
      `output=${request.outputPaths.data_output}`,
    ])
  })

  it('reports a non-zero exit with the exit code', async ({ tempDir }) => {
    const root = tempDir()
    const request = await makeRequest(root, {
      runner: 'command',
      scriptPath: await executableCopy(root, 'exits_7.sh'),
    })

    const report = await runExecution(request)

    expect(report).toMatchObject({
      outcome: 'exit-code',
      exitCode: 7,
      message: 'exited with code 7',
    })
    expect(report.stderrTail).toBe('failing on purpose')
  })

  it('says how to fix a script that is not executable', async ({ tempDir }) => {
    const root = tempDir()
    const script = await executableCopy(root, 'exits_7.sh', 0o644)
    const request = await makeRequest(root, {
      runner: 'command',
      scriptPath: script,
      projectRoot: root,
    })

    const report = await runExecution(request)

    expect(report.outcome).toBe('spawn-error')
    expect(report.message).toBe(`not executable: ${script}. Fix: chmod +x ${script}`)
  })

  it('offers no chmod for a file outside the project', async ({ tempDir }) => {
    const root = tempDir()
    const script = await executableCopy(root, 'exits_7.sh', 0o644)
    const project = join(root, 'project')
    const request = await makeRequest(root, {
      runner: 'command',
      scriptPath: script,
      projectRoot: project,
    })

    const report = await runExecution(request)

    expect(report.outcome).toBe('spawn-error')
    expect(report.message).toBe(
      `not executable: ${script}, which is outside the project. Fix: name a program in the spec's "command" (or "script_path"), not a data or system file`,
    )
  })

  it('reports a program that is not on PATH', async ({ tempDir }) => {
    const root = tempDir()
    const request = await makeRequest(root, {
      runner: 'command',
      scriptPath: join(root, 'unused'),
      command: ['definitely-not-a-command-xyz', '--flag'],
    })

    const report = await runExecution(request)

    expect(report.outcome).toBe('spawn-error')
    expect(report.message).toBe(
      'command not found: definitely-not-a-command-xyz (it is not on PATH)',
    )
  })

  it('names the missing program of a #! line', async ({ tempDir }) => {
    const root = tempDir()
    const script = join(root, 'bad-shebang.sh')
    await writeFile(script, '#!/usr/bin/no-such-interpreter\necho hi\n', { mode: 0o755 })
    const request = await makeRequest(root, { runner: 'command', scriptPath: script })

    const report = await runExecution(request)

    expect(report.outcome).toBe('spawn-error')
    expect(report.message).toContain('"#!/usr/bin/no-such-interpreter" does not exist')
  })

  it('rejects an unknown placeholder before starting anything, naming it', async ({ tempDir }) => {
    const root = tempDir()
    const request = await makeRequest(root, {
      runner: 'command',
      scriptPath: join(root, 'unused'),
      command: ['echo', '{inptu:data}', '{input:nope}'],
      inputPaths: { data_input: '/x' },
    })

    const report = await runExecution(request)

    expect(report.outcome).toBe('invalid-spec')
    expect(report.message).toContain('unknown placeholder {inptu:data}')
    expect(report.message).toContain(
      '{input:nope} names no input "nope" (the spec\'s inputs: data_input)',
    )
    expect(await readFile(report.stderrLog, 'utf8')).toContain('unknown placeholder')
  })

  it('reports an argument no process can receive as a spec mistake', async ({ tempDir }) => {
    const root = tempDir()
    const request = await makeRequest(root, {
      runner: 'command',
      scriptPath: join(root, 'unused'),
      command: ['echo', '{arg:label}'],
      jobArgs: { label: 'a\0b' },
    })

    const report = await runExecution(request)

    expect(report.outcome).toBe('invalid-spec')
    expect(report.message).toContain('null bytes')
  })

  it('reports a missing working directory instead of a bare ENOENT', async ({ tempDir }) => {
    const root = tempDir()
    const request = await makeRequest(root, {
      runner: 'command',
      scriptPath: join(root, 'unused'),
      command: ['echo', 'hi'],
      cwd: join(root, 'missing-dir'),
    })

    const report = await runExecution(request)

    expect(report.outcome).toBe('spawn-error')
    expect(report.message).toContain('missing-dir does not exist')
  })
})

describe('expandCommandTemplate', () => {
  const request = {
    scriptPath: '/s/run.R',
    inputPaths: { a: '/in/a' },
    outputPaths: { b: '/out/b' },
    jobArgs: { list: [1, 2], flag: true },
  }

  it('substitutes placeholders inside larger arguments and serialises non-string args as JSON', () => {
    expect(
      expandCommandTemplate(
        ['{script}', 'x={input:a},{output:b}', '{arg:list}', '{arg:flag}'],
        request,
      ),
    ).toEqual({ ok: true, argv: ['/s/run.R', 'x=/in/a,/out/b', '[1,2]', 'true'] })
  })

  it('leaves braces that are not one of the four placeholders literal', () => {
    expect(
      expandCommandTemplate(
        [
          '${PATH}',
          '${HOME:-/root}',
          '{print $1}',
          '{"a": {"b": 1}}',
          '{a: 1}',
          '{PATH}',
          '{}',
          'x{',
          '}y',
        ],
        request,
      ),
    ).toEqual({
      ok: true,
      argv: [
        '${PATH}',
        '${HOME:-/root}',
        '{print $1}',
        '{"a": {"b": 1}}',
        '{a: 1}',
        '{PATH}',
        '{}',
        'x{',
        '}y',
      ],
    })
  })

  it('reads {{ and the }} closing it as literal braces, also around what would be a placeholder', () => {
    expect(
      expandCommandTemplate(
        [
          '{{input:a}}',
          '{{{input:a}}}',
          '{{"k": "{arg:flag}"}}',
          '{{"a": {{"b": 1}}}}',
          '{{"a": {"b": 1}}}',
          '{{.State.Status}}',
          '{{}}',
          'a}}b',
        ],
        request,
      ),
    ).toEqual({
      ok: true,
      argv: [
        '{input:a}',
        '{/in/a}',
        '{"k": "true"}',
        '{"a": {"b": 1}}',
        '{"a": {"b": 1}}',
        '{.State.Status}',
        '{}',
        'a}}b',
      ],
    })
  })

  it('refuses an unknown {kind:NAME} as a likely typo, naming it and the known ones', () => {
    const result = expandCommandTemplate(['--in={inptu:a}', '{Output:b}', '{input:a}'], request)
    expect(result).toEqual({
      ok: false,
      message:
        'command template: unknown placeholder {inptu:a} (known: {script}, {input:NAME}, {output:NAME}, {arg:NAME}; write {{ and }} for literal braces); ' +
        'unknown placeholder {Output:b} (known: {script}, {input:NAME}, {output:NAME}, {arg:NAME}; write {{ and }} for literal braces)',
    })
  })

  it('names a problem placeholder as written, even with $ patterns in it', () => {
    const result = expandCommandTemplate(["{arg:$&$'}"], request)
    expect(!result.ok && result.message).toBe(
      `command template: {arg:$&$'} names no job arg "$&$'" (the spec's job args: list, flag)`,
    )
  })

  it('reports every problem at once', () => {
    const result = expandCommandTemplate(['{arg}', '{script:x}', '{arg:missing}'], request)
    expect(result.ok).toBe(false)
    expect(!result.ok && result.message).toBe(
      'command template: {arg} needs a name, e.g. {arg:NAME}; {script:x} takes no name; write {script}; {arg:missing} names no job arg "missing" (the spec\'s job args: list, flag)',
    )
  })
})

describe('jobArgsToFlags', () => {
  it('turns job args into flags in declaration order', () => {
    expect(
      jobArgsToFlags({
        job_type: 'training',
        n: 3,
        on: true,
        off: false,
        none: null,
        obj: { a: 1 },
      }),
    ).toEqual(['--job_type', 'training', '--n', '3', '--on', '--obj', '{"a":1}'])
  })
})

describe('selectRunner', () => {
  it.each([
    [{ scriptPath: '/a/prep.py' }, 'python'],
    [{ scriptPath: '/a/prep.PY' }, 'python'],
    [{ scriptPath: '/a/prep.js' }, 'node'],
    [{ scriptPath: '/a/prep.mjs' }, 'node'],
    [{ scriptPath: '/a/prep.cjs' }, 'node'],
    [{ scriptPath: '/a/prep.sh' }, 'command'],
    [{ scriptPath: '/a/prep' }, 'command'],
    [{}, 'command'],
    [{ scriptPath: '/a/prep.py', command: ['python3', '{script}'] }, 'command'],
    [{ scriptPath: '/a/prep.sh', runner: 'python' as const }, 'python'],
    [{ scriptPath: '/a/prep.py', runner: 'command' as const }, 'command'],
  ])('%o → %s', (spec, expected) => {
    expect(selectRunner(spec)).toBe(expected)
  })
})
