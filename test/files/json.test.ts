import { describe, expect, test } from 'vitest'
import { parseJson, stringifyJson, toPlainJson } from '../../src/files/json.js'
import { errorOf } from '../support/error-of.js'

const parse = (text: string, lossless = true) =>
  parseJson(text, 'f.json', 'SPEC_INVALID_JSON', 'Spec file', { lossless })

describe('the shared JSON reader', () => {
  test('skips a UTF-8 byte order mark at the start', () => {
    expect(parse('\uFEFF{"a": 1}', false)).toEqual({ a: 1 })
    expect(parse('\uFEFF{"a": 1}')).toEqual({ a: 1 })
  })

  test('still names line and column after a byte order mark', () => {
    const error = errorOf(() => parse('\uFEFF{\n  "a": 1\n  "b": 2\n}', false))
    expect(error.message).toContain('at line 3, column 3')
  })

  test('keeps numbers a JavaScript number would change, as written', () => {
    const text =
      '{"f": 1.0, "big": 9223372036854775808, "small": 1e-05, "n": NaN, "i": -Infinity, "x": 3, "h": 0.5, "s": "1.0 NaN"}'
    const value = parse(text)
    expect(value).toEqual({
      f: { jsonNumber: '1.0' },
      big: { jsonNumber: '9223372036854775808' },
      small: { jsonNumber: '1e-05' },
      n: { jsonNumber: 'NaN' },
      i: { jsonNumber: '-Infinity' },
      x: 3,
      h: 0.5,
      s: '1.0 NaN',
    })
    expect(stringifyJson(value)).toBe(text.replace(/: /g, ':').replace(/, /g, ','))
    expect(stringifyJson(structuredClone(value), 2)).toContain('"big": 9223372036854775808,')
  })

  test('without lossless, NaN is a syntax error named by line and column', () => {
    expect(errorOf(() => parse('{\n"a": NaN}', false)).message).toContain('line 2, column 6')
  })

  test('a syntax error after a kept number is located in the original text', () => {
    expect(errorOf(() => parse('{"a": 1.0,\n "b": NaN\n "c": 1}')).message).toContain(
      'line 3, column 2',
    )
  })

  test('toPlainJson turns kept numbers into JavaScript numbers', () => {
    expect(toPlainJson(parse('{"a": [1.0, NaN], "b": {"c": 1e-05}}'))).toEqual({
      a: [1, NaN],
      b: { c: 0.00001 },
    })
  })
})
