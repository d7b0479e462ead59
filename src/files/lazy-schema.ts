/**
 * A zod schema built when first used rather than when its module loads, then kept. Building
 * zod schemas was ~40% of the CPU that loading pipetest cost (every `pipetest` command,
 * every Jest test file, which loads pipetest afresh in its module registry), while a command
 * or a test file uses few of them: `--help` none, a run no contract extractor's output.
 * The schema stays the one definition of its format, and types still derive from it.
 *
 * @example
 * const portsSchema = lazySchema(() => z.record(z.string(), z.string()))
 * type Ports = z.infer<ReturnType<typeof portsSchema>>
 * const ports = portsSchema().parse(json)
 */
export function lazySchema<Schema>(build: () => Schema): () => Schema {
  let schema: Schema | undefined
  return () => (schema ??= build())
}
