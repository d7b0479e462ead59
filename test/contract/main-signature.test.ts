import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import {
  mainSignatureProblems,
  readContracts,
  showSignature,
  type MainDeclaration,
} from '../../src/contract/index.js'
import { test } from '../support/fixtures.js'

/** Each source's main as the contract reads it; all in one interpreter process. */
const sources = {
  plain: 'def main(input_paths, output_paths, environ_vars, job_args):\n    pass\n',
  annotated: [
    'from typing import Dict',
    '',
    'async def main(',
    '    input_paths: Dict[str, str],  # where the data is',
    '    output_paths: Dict[str, str],',
    '    environ_vars: Dict[str, str] = {},',
    '    job_args=None,',
    '    logger=print,',
    ') -> None:',
    '    pass',
  ].join('\n'),
  kwargs: 'def main(input_paths, **kwargs):\n  pass\n',
  missing: '"""Doc."""\n\ndef main(input_paths, output_paths):\n    pass\n',
  extra: 'def main(input_paths, output_paths, environ_vars, job_args, model):\n  pass\n',
  positionalOnly: 'def main(input_paths, output_paths, environ_vars, job_args, /):\n  pass\n',
  noMain: 'def run():\n  pass\nif __name__ == "__main__":\n  run()\n',
  imported: 'from pipeline.steps import main\n',
  assigned: 'main = build_main()\n',
  nested: 'if True:\n    def main(a):\n        pass\n',
  strings:
    'def main(input_paths, output_paths, environ_vars, job_args, sep=")", # (\n  x=1):\n  pass\n',
}
type Source = keyof typeof sources

const mains = new Map<Source, MainDeclaration | undefined>()

test.beforeAll(async ({ fileTempDir }) => {
  const dir = fileTempDir('pipetest-main-')
  const names = Object.keys(sources) as Source[]
  await Promise.all(names.map((name) => writeFile(join(dir, `${name}.py`), sources[name])))
  const contracts = await readContracts(
    names.map((name) => ({ scriptPath: join(dir, `${name}.py`) })),
    { python: 'python3' },
  )
  names.forEach((name, i) => mains.set(name, contracts[i]!.main))
})

function problemsOf(name: Source): string[] {
  const main = mains.get(name)
  if (main?.kind !== 'def') throw new Error(`${name}: no def main (${main?.kind})`)
  return mainSignatureProblems(main.parameters)
}

describe("main's signature, read from the code", () => {
  test('accepts the four contract parameters', () => {
    expect(problemsOf('plain')).toEqual([])
  })

  test('accepts annotations, defaults, a multi-line list and extra optional parameters', () => {
    expect(problemsOf('annotated')).toEqual([])
    expect(mains.get('annotated')).toMatchObject({ kind: 'def', line: 3 })
  })

  test('accepts **kwargs in place of contract parameters', () => {
    expect(problemsOf('kwargs')).toEqual([])
  })

  test('names the missing contract parameters and the line', () => {
    const main = mains.get('missing')
    expect(main).toMatchObject({ kind: 'def', line: 3 })
    expect(main?.kind === 'def' && showSignature(main)).toBe('main(input_paths, output_paths)')
    expect(problemsOf('missing')).toEqual(['missing parameters environ_vars, job_args'])
  })

  test('reports extra parameters without a default', () => {
    expect(problemsOf('extra')).toEqual(['extra required parameter model (give it a default)'])
  })

  test('treats parameters before "/" as not passable by keyword', () => {
    expect(problemsOf('positionalOnly')).toEqual([
      'missing parameters input_paths, output_paths, environ_vars, job_args',
    ])
  })

  test('says "no main" only when the file never mentions main', () => {
    expect(mains.get('noMain')).toEqual({ kind: 'no-main' })
  })

  test('leaves imported, assigned or nested mains to the harness', () => {
    expect(mains.get('imported')).toEqual({ kind: 'unknown' })
    expect(mains.get('assigned')).toEqual({ kind: 'unknown' })
    expect(mains.get('nested')).toEqual({ kind: 'unknown' })
  })

  test('is not confused by parentheses in strings and comments of the parameter list', () => {
    expect(problemsOf('strings')).toEqual([])
  })
})
