import { describe, expect, test } from 'vitest'
import { checkPythonMain } from '../../src/suite/python-signature.js'

describe('checkPythonMain', () => {
  test('accepts the four contract parameters', () => {
    const source = 'def main(input_paths, output_paths, environ_vars, job_args):\n    pass\n'
    expect(checkPythonMain(source)).toEqual({ kind: 'ok' })
  })

  test('accepts annotations, defaults, a multi-line list and extra optional parameters', () => {
    const source = [
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
    ].join('\n')
    expect(checkPythonMain(source)).toEqual({ kind: 'ok' })
  })

  test('accepts **kwargs in place of contract parameters', () => {
    expect(checkPythonMain('def main(input_paths, **kwargs):\n  pass\n')).toEqual({ kind: 'ok' })
  })

  test('names the missing contract parameters and the line', () => {
    const source = '"""Doc."""\n\ndef main(input_paths, output_paths):\n    pass\n'
    expect(checkPythonMain(source)).toEqual({
      kind: 'bad-signature',
      line: 3,
      signature: 'main(input_paths, output_paths)',
      problems: ['missing parameters environ_vars, job_args'],
    })
  })

  test('reports extra parameters without a default', () => {
    const source = 'def main(input_paths, output_paths, environ_vars, job_args, model):\n  pass\n'
    const check = checkPythonMain(source)
    expect(check.kind).toBe('bad-signature')
    expect(check.kind === 'bad-signature' && check.problems).toEqual([
      'extra required parameter model (give it a default)',
    ])
  })

  test('treats parameters before "/" as not passable by keyword', () => {
    const source = 'def main(input_paths, output_paths, environ_vars, job_args, /):\n  pass\n'
    expect(checkPythonMain(source).kind).toBe('bad-signature')
  })

  test('says "no main" only when the file never mentions main', () => {
    expect(checkPythonMain('def run():\n  pass\nif __name__ == "__main__":\n  run()\n')).toEqual({
      kind: 'no-main',
    })
  })

  test('leaves imported, assigned or nested mains to the harness', () => {
    expect(checkPythonMain('from pipeline.steps import main\n').kind).toBe('unknown')
    expect(checkPythonMain('main = build_main()\n').kind).toBe('unknown')
    expect(checkPythonMain('if True:\n    def main(a):\n        pass\n').kind).toBe('unknown')
  })

  test('ignores parentheses inside strings and comments of the parameter list', () => {
    const source =
      'def main(input_paths, output_paths, environ_vars, job_args, sep=")", # (\n  x=1):\n  pass\n'
    expect(checkPythonMain(source)).toEqual({ kind: 'ok' })
  })
})
