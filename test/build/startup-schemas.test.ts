import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, vi } from 'vitest'

/**
 * Loading pipetest builds no zod schema: each is built when first used (`files/lazy-schema.ts`).
 * Building them was ~40% of the CPU that loading pipetest cost, paid by every command
 * (`pipetest --help` too) and by every Jest test file, which loads pipetest afresh.
 */
const built: string[] = []

vi.mock('zod', async (importOriginal) => {
  const zod = await importOriginal<Record<string, unknown>>()
  // The schema builders (`z.object`, `z.string`, `z.codec`…); classes and constants as they are.
  const counted = Object.entries(zod).map(([name, value]) =>
    typeof value === 'function' && /^[a-z]/.test(name)
      ? [
          name,
          (...args: unknown[]) => {
            built.push(name)
            return (value as (...args: unknown[]) => unknown)(...args)
          },
        ]
      : [name, value],
  )
  return Object.fromEntries(counted) as Record<string, unknown>
})

/** Every module of the library and of its commands; the CLI's entry runs a command when loaded. */
const src = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src')
const modules = readdirSync(src, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts') && file !== join('cli', 'main.ts'))
  .map((file) => join(src, file))

describe('start-up', () => {
  it('loading any module of pipetest builds no zod schema', async () => {
    expect(modules.length).toBeGreaterThan(50)
    for (const file of modules) await import(file)
    expect(built).toEqual([])
  })

  it('a schema is built when first used', async () => {
    const { loadDag } = await import('../../src/dag/index.js')
    loadDag({ nodes: ['A', 'B'], edges: [['A', 'B']] }, process.cwd())
    expect(built).toContain('object')
  })
})
