import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { test } from '../support/fixtures.js'
import {
  createDefaultSpec,
  listSpecNames,
  loadSpecFile,
  saveSpecFile,
  specFilePath,
  specsDirOf,
} from '../../src/spec/index.js'

let root: string
let specsDir: string

test.beforeEach(({ tempDir }) => {
  root = tempDir('pipetest-spec-')
  specsDir = specsDirOf(join(root, 'test/integration/runtime'))
})

describe('spec store', () => {
  test('keeps specs in <testDataDir>/.specs/<script>_runtime_test_spec.json', () => {
    expect(specsDir).toBe(join(root, 'test/integration/runtime/.specs'))
    expect(specFilePath(specsDir, 'prep')).toBe(join(specsDir, 'prep_runtime_test_spec.json'))
    expect(() => specFilePath(specsDir, '../prep')).toThrow(
      expect.objectContaining({ code: 'SPEC_BAD_NAME' }),
    )
  })

  test('saves with a fresh last_updated, 2-space indent and a final newline, without mutating', async () => {
    const spec = createDefaultSpec('prep', 'Prep')
    const now = new Date('2026-01-02T03:04:05.678Z')
    const { spec: saved, file } = saveSpecFile(spec, specsDir, { now })
    expect(saved.lastUpdated).toBe('2026-01-02T03:04:05.678Z')
    expect(spec.lastUpdated).toBeUndefined()
    const text = await readFile(file, 'utf8')
    expect(text).toBe(
      [
        '{',
        '  "script_name": "prep",',
        '  "step_name": "Prep",',
        '  "script_path": null,',
        '  "input_paths": {',
        '    "data_input": "test/integration/runtime/prep/input"',
        '  },',
        '  "output_paths": {',
        '    "data_output": "test/integration/runtime/prep/output"',
        '  },',
        '  "environ_vars": {',
        '    "LABEL_FIELD": "label"',
        '  },',
        '  "job_args": {',
        '    "job_type": "testing"',
        '  },',
        '  "last_updated": "2026-01-02T03:04:05.678Z",',
        '  "user_notes": null',
        '}',
        '',
      ].join('\n'),
    )
    expect(loadSpecFile(specFilePath(specsDir, 'prep'))).toEqual(saved)
  })

  test('leaves no temporary file behind, even after many saves', async () => {
    for (let i = 0; i < 20; i++) saveSpecFile(createDefaultSpec('prep', `Prep${i}`), specsDir)
    expect(await readdir(specsDir)).toEqual(['prep_runtime_test_spec.json'])
    expect(loadSpecFile(specFilePath(specsDir, 'prep')).stepName).toBe('Prep19')
  })

  test('leaves no temporary file behind when the write fails', async () => {
    // A folder where the file should go makes the final rename fail.
    await mkdir(join(specsDir, 'prep_runtime_test_spec.json'), { recursive: true })
    expect(() => saveSpecFile(createDefaultSpec('prep', 'Prep'), specsDir)).toThrow()
    expect(await readdir(specsDir)).toEqual(['prep_runtime_test_spec.json'])
  })

  test('refuses to overwrite when told not to, and leaves the file alone', async () => {
    await mkdir(specsDir, { recursive: true })
    const file = join(specsDir, 'prep_runtime_test_spec.json')
    await writeFile(file, 'user content')
    expect(() =>
      saveSpecFile(createDefaultSpec('prep', 'Prep'), specsDir, { overwrite: false }),
    ).toThrow(expect.objectContaining({ file, message: expect.stringContaining('already exists') }))
    expect(await readFile(file, 'utf8')).toBe('user content')
  })

  test('lists spec names sorted, and none for a missing folder', async () => {
    expect(listSpecNames(specsDir)).toEqual([])
    saveSpecFile(createDefaultSpec('b', 'B'), specsDir)
    saveSpecFile(createDefaultSpec('a', 'A'), specsDir)
    await writeFile(join(specsDir, 'readme.md'), '')
    expect(listSpecNames(specsDir)).toEqual(['a', 'b'])
  })

  test('names the missing file when loading', () => {
    const file = join(specsDir, 'nope_runtime_test_spec.json')
    expect(() => loadSpecFile(specFilePath(specsDir, 'nope'))).toThrow(
      expect.objectContaining({
        code: 'SPEC_NOT_FOUND',
        file,
        message: expect.stringContaining(`Spec file ${file} does not exist`),
      }),
    )
    expect(existsSync(specsDir)).toBe(false)
  })

  test('names the file, line and column of malformed JSON', async () => {
    await mkdir(specsDir, { recursive: true })
    const file = join(specsDir, 'bad_runtime_test_spec.json')
    await writeFile(file, '{\n  "script_name": "bad",\n  "step_name": \n}')
    expect(() => loadSpecFile(specFilePath(specsDir, 'bad'))).toThrow(
      expect.objectContaining({
        code: 'SPEC_INVALID_JSON',
        file,
        message: expect.stringContaining('is not valid JSON at line 4, column 1'),
      }),
    )
  })
})
