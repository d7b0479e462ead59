import * as z from 'zod'
import { lazySchema } from '../files/lazy-schema.js'
import { dataFormats } from './formats.js'
import { columnTypes } from './values.js'

/**
 * A data contract: what one output (or input) of a script must hold. It lives in the spec
 * file under `output_contracts` / `input_contracts`, keyed by the port's logical name — keys
 * cursus does not know and ignores — and is written for people to read and edit:
 *
 * ```json
 * "output_contracts": {
 *   "processed_data": {
 *     "format": "csv",
 *     "rows": { "min": 1 },
 *     "columns": {
 *       "amount": { "type": "number", "nullable": false, "min": 0 },
 *       "is_fraud": { "type": "integer", "values": [0, 1] }
 *     }
 *   },
 *   "metrics_output": { "file": "metrics.json", "keys": { "auc": { "min": 0, "max": 1 } } }
 * }
 * ```
 *
 * The on-disk and in-memory forms are the same (one-word keys), so no codec is involved.
 */

const scalar = lazySchema(() => z.union([z.string(), z.number(), z.boolean()]))
const bound = lazySchema(() => z.union([z.number(), z.string()]))

/** One column of a table, or one key of a JSON document. */
const valueContractSchema = lazySchema(() =>
  z
    .object({
      /** integer ⊂ number; string accepts anything. */
      type: z.enum(columnTypes).optional(),
      /** Missing values allowed (default true). */
      nullable: z.boolean().optional(),
      /** No value repeats (tables only). */
      unique: z.boolean().optional(),
      /** The only values allowed. */
      values: z.array(scalar()).min(1).optional(),
      /** Smallest / largest value: numbers, or ISO dates for datetimes. */
      min: bound().optional(),
      max: bound().optional(),
    })
    .strict(),
)

const rowBounds = lazySchema(() =>
  z.union([
    z.number().int().nonnegative(),
    z
      .object({
        min: z.number().int().nonnegative().optional(),
        max: z.number().int().nonnegative().optional(),
      })
      .strict(),
  ]),
)

export const dataContractSchema = lazySchema(() =>
  z
    .object({
      /** Every file of the output is in this format (gzipped or not). */
      format: z.enum(dataFormats).optional(),
      /** One file inside a folder output (`metrics.json` beside a model). */
      file: z.string().min(1).optional(),
      /** Row count: exact, or `{min, max}`. */
      rows: rowBounds().optional(),
      /** Split subfolders that must each hold rows (`["train", "val", "test"]`). */
      splits: z.array(z.string().min(1)).min(1).optional(),
      /** Columns of a table by name. */
      columns: z.record(z.string(), valueContractSchema()).optional(),
      /** Keys of a JSON document by dotted path (`auc`, `per_class.1.recall`). */
      keys: z.record(z.string(), valueContractSchema()).optional(),
      /** When true, columns or keys not listed fail the check (default: allowed). */
      strict: z.boolean().optional(),
    })
    .strict(),
)

/** Contracts per port: `{ "<output or input name>": DataContract }`. */
export const portContractsSchema = lazySchema(() => z.record(z.string(), dataContractSchema()))

export type ValueContract = z.infer<ReturnType<typeof valueContractSchema>>
export type DataContract = z.infer<ReturnType<typeof dataContractSchema>>
export type PortContracts = z.infer<ReturnType<typeof portContractsSchema>>

/** How to fix a bad contract, in the words of the spec file. */
export function contractFix(key: string): string {
  return (
    `Write "${key}" as {"<port name>": {"format": "csv", "rows": {"min": 1}, "columns": ` +
    `{"amount": {"type": "number", "nullable": false, "min": 0}}}}; a column or key takes ` +
    `type (${columnTypes.join(', ')}), nullable, unique, values, min, max.`
  )
}
