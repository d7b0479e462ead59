import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect } from 'vitest'
import {
  checkContract,
  dataContractSchema,
  describeViolations,
  observedContract,
  summarizeData,
  summaryOptionsFor,
  type DataContract,
} from '../../src/data/index.js'
import { parseJson } from '../../src/files/json.js'
import { specFromJson, specToJson } from '../../src/spec/spec-codec.js'
import { it } from '../support/fixtures.js'

// One folder for the file: each test's data files have their own names.
let root: string
it.beforeAll(({ fileTempDir }) => {
  root = fileTempDir('pipetest-contracts-')
})

function file(name: string, content: string): string {
  const path = join(root, name)
  writeFileSync(path, content)
  return path
}

async function check(path: string, contract: DataContract): Promise<string[]> {
  const parsed = dataContractSchema().parse(contract)
  return describeViolations(
    checkContract(await summarizeData(path, summaryOptionsFor(parsed)), parsed),
  )
}

const transactions = {
  format: 'csv',
  rows: { min: 1 },
  columns: {
    id: { type: 'integer', nullable: false, unique: true },
    amount: { type: 'number', nullable: false, min: 0 },
    label: { type: 'integer', nullable: false, values: [0, 1] },
  },
} satisfies DataContract

describe('data contracts', () => {
  it('passes data that keeps its contract', async () => {
    const path = file('ok.csv', 'id,amount,label\n1,2.5,0\n2,0,1\n')
    expect(await check(path, transactions)).toEqual([])
  })

  it('names a renamed column by its old and new name', async () => {
    const path = file('renamed.csv', 'id,amt,label\n1,2.5,0\n')
    expect(await check(path, transactions)).toEqual([
      'column `amount` missing; unexpected column `amt` — renamed?',
    ])
  })

  it('counts nulls, repeats, values outside the allowed ones and out-of-range values', async () => {
    const path = file('bad.csv', 'id,amount,label\n1,-3,0\n1,,2\n2,4,\n')
    expect(await check(path, transactions)).toEqual([
      '`id`: 1 repeated value (e.g. 1), declared unique',
      '1 null in `amount`, declared not null',
      '`amount`: min -3, declared ≥ 0',
      '1 null in `label`, declared not null',
      '`label`: 1 value outside [0, 1] (e.g. 2)',
    ])
  })

  it('reports an empty output against its row bound, and a wrong type', async () => {
    const path = file('empty.csv', 'id,amount,label\n')
    expect(await check(path, { ...transactions, rows: { min: 1 } })).toEqual([
      'rows: 0, declared ≥ 1',
    ])
    const strings = file('strings.csv', 'id,amount,label\na,1,0\n')
    expect(await check(strings, transactions)).toContain('`id`: type string, declared integer')
  })

  it('reports undeclared columns only when the contract is strict', async () => {
    const path = file('extra.csv', 'id,amount,label,note\n1,1,0,x\n')
    expect(await check(path, transactions)).toEqual([])
    expect(await check(path, { ...transactions, strict: true })).toEqual([
      'unexpected column `note` (the contract is strict)',
    ])
  })

  it('checks JSON metrics by key, NaN included', async () => {
    const path = file('metrics.json', '{"auc": NaN, "f1": 1.4, "counts": {"tp": 3}}')
    const contract: DataContract = {
      keys: { auc: { min: 0, max: 1 }, f1: { max: 1 }, accuracy: { type: 'number' }, counts: {} },
    }
    expect(await check(path, contract)).toEqual([
      'key `accuracy` missing',
      'key `auc` is null or NaN, declared a value',
      '`f1`: value 1.4, declared ≤ 1',
    ])
  })

  it('reports the wrong format and the wrong shape', async () => {
    const path = file('rows.json', '[{"id": 1, "amount": 1, "label": 0}]')
    expect(await check(path, transactions)).toEqual(['format: JSON, declared CSV'])
    expect(await check(path, { keys: { auc: {} } })).toEqual([
      'holds a table (rows), but the contract declares a JSON document (keys)',
      // a table's columns are no keys
    ])
  })

  it('rejects a contract with a misspelt field, naming it', () => {
    const result = dataContractSchema().safeParse({ columns: { a: { typ: 'number' } } })
    expect(result.success).toBe(false)
    expect(result.error?.issues[0]).toMatchObject({
      path: ['columns', 'a'],
      code: 'unrecognized_keys',
      keys: ['typ'],
    })
  })

  it('observes a contract the same data then keeps', async () => {
    const path = file(
      'observed.csv',
      'id,amount,label,note\n1,2.5,0,a\n2,3,1,\n3,4,0,b\n4,5,1,c\n5,6,0,d\n',
    )
    const contract = observedContract(await summarizeData(path))!
    expect(contract).toEqual({
      format: 'csv',
      rows: { min: 1 },
      columns: {
        id: { type: 'integer', nullable: false },
        amount: { type: 'number', nullable: false },
        label: { type: 'integer', nullable: false, values: [0, 1] },
        note: { type: 'string' },
      },
    })
    expect(await check(path, contract)).toEqual([])
  })
})

describe('contracts in spec files', () => {
  const base = {
    script_name: 'prepare',
    step_name: 'Prepare',
    input_paths: {},
    output_paths: { processed_data: 'out' },
  }

  it('load from output_contracts / input_contracts, 1.0 as a number, and write back unchanged', () => {
    const text = JSON.stringify({
      ...base,
      output_contracts: { processed_data: { rows: { min: 1 }, columns: { p: { max: 1.5 } } } },
    }).replace('1.5', '1.0')
    const spec = specFromJson(
      parseJson(text, 'prepare_runtime_test_spec.json', 'SPEC_INVALID_JSON', 'spec', {
        lossless: true,
      }),
      'prepare_runtime_test_spec.json',
    )
    expect(spec.outputContracts).toEqual({
      processed_data: { rows: { min: 1 }, columns: { p: { max: 1 } } },
    })
    expect(specToJson(spec).output_contracts).toEqual(spec.outputContracts)
    expect(specToJson(spec).input_contracts).toBeUndefined() // cursus' keys only are written as null
  })

  it('reject a misspelt contract field, naming the file, the field and the fix', () => {
    const json = {
      ...base,
      output_contracts: { processed_data: { columns: { amount: { type: 'float' } } } },
    }
    expect(() => specFromJson(json, 'prepare_runtime_test_spec.json')).toThrow(
      expect.objectContaining({
        code: 'SPEC_INVALID',
        file: 'prepare_runtime_test_spec.json',
        field: 'output_contracts.processed_data.columns.amount.type',
        hint: expect.stringContaining('type (integer, number, string, boolean, datetime, json)'),
      }),
    )
  })
})
