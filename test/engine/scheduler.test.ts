import { describe, expect, it } from 'vitest'
import { notRunResult } from '../../src/engine/execution-result.js'
import { ExecutionScheduler, executionId } from '../../src/engine/scheduler.js'
import { stableStringify } from '../../src/files/json.js'
import { Semaphore } from '../../src/engine/semaphore.js'

const nextMacrotask = () => new Promise((resolve) => setImmediate(resolve))

function deferred() {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}

describe('Semaphore', () => {
  it('never lets more than `limit` tasks run and serves waiters in order', async () => {
    const semaphore = new Semaphore(2)
    const gates = [deferred(), deferred(), deferred(), deferred()]
    const order: number[] = []
    let running = 0
    let peak = 0
    const tasks = gates.map((gate, i) =>
      semaphore.use(async () => {
        order.push(i)
        running++
        peak = Math.max(peak, running)
        await gate.promise
        running--
      }),
    )
    await nextMacrotask()
    expect([semaphore.active, semaphore.waiting]).toEqual([2, 2])
    gates[1]!.resolve()
    await tasks[1]
    gates[0]!.resolve()
    gates[2]!.resolve()
    gates[3]!.resolve()
    await Promise.all(tasks)
    expect(order).toEqual([0, 1, 2, 3])
    expect(peak).toBe(2)
    expect(semaphore.active).toBe(0)
  })

  it('grants a freed slot to the waiter with the highest priority, including a late one', async () => {
    const semaphore = new Semaphore(1)
    const order: string[] = []
    const gate = deferred()
    const task = (name: string, priority: number, hold?: Promise<void>) =>
      semaphore.use(
        async () => {
          order.push(name)
          await hold
        },
        undefined,
        () => priority,
      )
    // A burst: ranked as a whole, although `low` asked first with the slot free.
    const first = [task('low', 1), task('high', 3, gate.promise), task('mid', 2)]
    await nextMacrotask()
    expect(order).toEqual(['high'])
    // Asked for right after the slot's holder finishes (as a downstream execution is):
    // it still competes for that slot.
    const late = first[1]!.then(() => task('late', 5))
    gate.resolve()
    await Promise.all([...first, late])
    expect(order).toEqual(['high', 'late', 'mid', 'low'])
  })

  it('drops a waiter whose signal aborts, with the reason', async () => {
    const semaphore = new Semaphore(1)
    const release = await semaphore.acquire()
    const controller = new AbortController()
    const waiting = semaphore.acquire(controller.signal)
    controller.abort('stop')
    await expect(waiting).rejects.toBe('stop')
    expect(semaphore.waiting).toBe(0)
    release()
    release()
    expect(semaphore.active).toBe(0)
    await expect(semaphore.acquire(controller.signal)).rejects.toBe('stop')
  })

  it('rejects a limit that is not a positive integer', () => {
    expect(() => new Semaphore(0)).toThrow(RangeError)
    expect(() => new Semaphore(1.5)).toThrow(RangeError)
  })
})

describe('ExecutionScheduler', () => {
  const result = (id: string) =>
    notRunResult(
      {
        id,
        node: 'A',
        scriptName: 'a',
        scriptPath: undefined,
        runner: undefined,
        runDir: '/r',
        inputs: {},
        wiredFrom: {},
      },
      'passed',
      'success',
      'ok',
    )

  it('gives every request for the same id the same promise, started once', async () => {
    const scheduler = new ExecutionScheduler(2)
    let starts = 0
    const start = async () => {
      starts++
      return scheduler.withSlot(async () => result('x'))
    }
    const first = scheduler.memoise('x', start)
    const second = scheduler.memoise('x', start)
    expect(second).toBe(first)
    await first
    expect(starts).toBe(1)
    expect(scheduler.executionCount).toBe(1)
  })

  it('publishes events to subscribers and keeps their history', () => {
    const scheduler = new ExecutionScheduler(1)
    const seen: string[] = []
    const unsubscribe = scheduler.subscribe((event) => seen.push(event.type))
    scheduler.emit({ type: 'blocked', node: 'B', executionId: 'b', blockedBy: 'A' })
    unsubscribe()
    scheduler.emit({ type: 'started', node: 'C', executionId: 'c', purpose: 'flow' })
    expect(seen).toEqual(['blocked'])
    expect(scheduler.events.map((event) => event.node)).toEqual(['B', 'C'])
  })

  it('settles executions requested while others settle', async () => {
    const scheduler = new ExecutionScheduler(1)
    const late = deferred()
    void scheduler.memoise('a', async () => {
      void scheduler.memoise('b', async () => {
        await late.promise
        return result('b')
      })
      return result('a')
    })
    let settled = false
    const waiting = scheduler.settled().then(() => (settled = true))
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(settled).toBe(false)
    late.resolve()
    await waiting
    expect(settled).toBe(true)
  })
})

describe('executionId', () => {
  it('does not depend on key order and changes with any input', () => {
    const a = executionId({ node: 'A', inputs: { x: '/a', y: '/b' }, env: { K: '1' } })
    const b = executionId({ env: { K: '1' }, inputs: { y: '/b', x: '/a' }, node: 'A' })
    expect(a).toBe(b)
    expect(executionId({ node: 'A', inputs: { x: '/a', y: '/c' }, env: { K: '1' } })).not.toBe(a)
    expect(stableStringify({ b: [1, { d: 2, c: undefined }], a: null })).toBe(
      '{"a":null,"b":[1,{"d":2}]}',
    )
  })
})
