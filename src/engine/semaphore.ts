import { setImmediate } from 'node:timers'

/**
 * Limits how many executions run at once and decides which waiter runs next: the one with
 * the highest priority (the engine's longest remaining path), first come first served among
 * equals. A waiter whose signal aborts leaves the queue with the signal's reason.
 *
 * Slots are handed out one macrotask after they free up (or after the first request), not
 * at once: a burst of requests made together (every test of a file prefetched) is then
 * ranked as a whole, and the downstream execution that a finishing one makes ready — its
 * request follows the release by a few microtasks — competes for the slot that release freed.
 * (`setImmediate` from `node:timers`: a test file's fake timers replace only the global one.)
 */
export class Semaphore {
  readonly limit: number
  #active = 0
  readonly #waiting: Waiter[] = []
  #dispatching = false

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`Semaphore limit must be a positive integer, got ${limit}`)
    }
    this.limit = limit
  }

  get active(): number {
    return this.#active
  }

  get waiting(): number {
    return this.#waiting.length
  }

  /**
   * Resolves with a release function once a slot is granted. Releasing twice is harmless.
   * `priority` is read when slots are handed out, so it may change while the waiter waits.
   */
  acquire(signal?: AbortSignal, priority: () => number = () => 0): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason)
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        priority,
        grant: () => {
          signal?.removeEventListener('abort', onAbort)
          this.#active++
          resolve(this.#releaser())
        },
      }
      const onAbort = () => {
        const at = this.#waiting.indexOf(waiter)
        if (at !== -1) this.#waiting.splice(at, 1)
        reject(signal!.reason)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#waiting.push(waiter)
      this.#scheduleDispatch()
    })
  }

  /** Runs `task` inside a slot. */
  async use<T>(task: () => Promise<T>, signal?: AbortSignal, priority?: () => number): Promise<T> {
    const release = await this.acquire(signal, priority)
    try {
      return await task()
    } finally {
      release()
    }
  }

  #scheduleDispatch(): void {
    if (this.#dispatching || this.#active >= this.limit || this.#waiting.length === 0) return
    this.#dispatching = true
    setImmediate(() => {
      this.#dispatching = false
      this.#dispatch()
    })
  }

  #dispatch(): void {
    while (this.#active < this.limit && this.#waiting.length > 0) {
      // The first of the highest: first come among equals.
      const priorities = this.#waiting.map((waiter) => waiter.priority())
      const best = priorities.reduce(
        (top, priority, i) => (priority > priorities[top]! ? i : top),
        0,
      )
      this.#waiting.splice(best, 1)[0]!.grant()
    }
  }

  #releaser(): () => void {
    let released = false
    return () => {
      if (released) return
      released = true
      this.#active--
      this.#scheduleDispatch()
    }
  }
}

interface Waiter {
  priority: () => number
  grant: () => void
}
