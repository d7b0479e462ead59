import { existsSync } from 'node:fs'
import { chmod, copyFile } from 'node:fs/promises'
import { join } from 'node:path'
import { execa } from 'execa'
import { describe, expect } from 'vitest'
import { fixture, isRunning, it, readPids, waitFor } from './helpers.js'

let driver: string

// The driver is TypeScript importing src/; bundle it so a plain `node` can run it.
it.beforeAll(async ({ bundleDriver }) => {
  driver = await bundleDriver('orphan-driver')
})

async function hangingScript(root: string): Promise<string> {
  const script = join(root, 'hangs.sh')
  await copyFile(fixture('command', 'hangs_with_grandchild.sh'), script)
  await chmod(script, 0o755)
  return script
}

describe('no orphans when pipetest itself goes away', () => {
  it('kills running process groups when our process exits', async ({ tempDir }) => {
    const root = tempDir()
    const pidFile = join(root, 'pids')

    const result = await execa('node', [driver, await hangingScript(root), pidFile, root, 'exit'], {
      reject: false,
      timeout: 30_000,
    })

    expect(result.exitCode).toBe(0)
    const pids = readPids(pidFile)
    expect(pids).toHaveLength(2)
    await waitFor(() => pids.every((pid) => !isRunning(pid)), 5000, 'the group to die')
  })

  it('kills running process groups on SIGTERM and still dies of SIGTERM', async ({ tempDir }) => {
    const root = tempDir()
    const pidFile = join(root, 'pids')

    const driverProcess = execa(
      'node',
      [driver, await hangingScript(root), pidFile, root, 'signal'],
      {
        reject: false,
        timeout: 30_000,
      },
    )
    await waitFor(() => existsSync(pidFile), 10_000, 'the script to start')
    driverProcess.kill('SIGTERM')
    const result = await driverProcess

    expect(result.signal).toBe('SIGTERM')
    const pids = readPids(pidFile)
    await waitFor(() => pids.every((pid) => !isRunning(pid)), 5000, 'the group to die')
  })
})
