import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import { dominantFormat, fileFormat } from '../../src/data/formats.js'
import { it } from '../support/fixtures.js'

describe('data formats', () => {
  it("names files as cursus' _detect_file_format does, with .tar.gz fixed", () => {
    expect(
      ['a.csv', 'm.PKL', 'm.bst', 'x.yml', 'model.tar.gz', 'README', 'x.feather'].map(fileFormat),
    ).toEqual([
      'csv',
      'pickle',
      'xgboost_model',
      'yaml',
      'compressed_archive',
      'no_extension',
      'feather',
    ])
  })

  it('reports the most common data format under folders, ignoring temporary and empty files', ({
    tempDir,
  }) => {
    const root = tempDir('pipetest-format-')
    mkdirSync(join(root, 'out', 'train'), { recursive: true })
    writeFileSync(join(root, 'out', 'train', 'a.parquet'), 'x')
    writeFileSync(join(root, 'out', 'train', 'b.parquet'), 'x')
    writeFileSync(join(root, 'out', 'c.csv'), 'x')
    writeFileSync(join(root, 'out', 'empty.json'), '')
    writeFileSync(join(root, 'out', '.DS_Store'), 'x')
    writeFileSync(join(root, 'out', 'run.log'), 'x')
    expect(dominantFormat([join(root, 'out')])).toBe('parquet')
    expect(dominantFormat([join(root, 'missing')])).toBeUndefined()
  })
})
