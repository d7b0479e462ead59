import { createInterface, type Interface } from 'node:readline/promises'
import type { Readable, Writable } from 'node:stream'
import { PipetestError } from '../errors.js'

/** What a validator says about an answer: the value to keep, or a one-line reason to ask again. */
export type Verdict<T> = { ok: true; value: T } | { ok: false; reason: string }

/**
 * Line-by-line questions over any pair of streams. Lines are queued as they arrive instead
 * of using `rl.question()`, which drops lines that arrive while no question is pending (a
 * pasted block of answers, or a test writing them all at once). Ctrl-C and end of input
 * reject the pending and every later question with PipetestError('PROMPT_CANCELLED').
 */
export class Prompter {
  readonly #rl: Interface
  readonly #output: Writable
  readonly #lines: string[] = []
  #waiting: { resolve: (line: string) => void; reject: (error: Error) => void } | undefined
  #ended: PipetestError | undefined

  constructor(input: Readable, output: Writable, what: string) {
    this.#output = output
    this.#rl = createInterface({
      input,
      output,
      terminal: (output as { isTTY?: boolean }).isTTY === true,
    })
    this.#rl.on('line', (line) => {
      const waiting = this.#waiting
      this.#waiting = undefined
      if (waiting) waiting.resolve(line)
      else this.#lines.push(line)
    })
    this.#rl.on('SIGINT', () => {
      this.#end(`Interrupted (Ctrl-C) while editing ${what}; nothing was saved`)
      this.#rl.close()
    })
    this.#rl.on('close', () =>
      this.#end(`Input ended before ${what} was complete; nothing was saved`),
    )
  }

  /** Writes one line of text (not a question). */
  say(text: string): void {
    this.#output.write(`${text}\n`)
  }

  /** Asks until `validate` accepts the trimmed answer, explaining each rejection in one line. */
  async ask<T>(question: string, validate: (answer: string) => Verdict<T>): Promise<T> {
    for (;;) {
      const verdict = validate((await this.#next(question)).trim())
      if (verdict.ok) return verdict.value
      this.say(`  ✗ ${verdict.reason}`)
    }
  }

  close(): void {
    this.#rl.close()
  }

  #next(question: string): Promise<string> {
    if (this.#ended) {
      // Answers still queued after the input ended are used; the interface itself is closed.
      this.#output.write(question)
    } else {
      this.#rl.setPrompt(question)
      this.#rl.prompt()
    }
    const line = this.#lines.shift()
    if (line !== undefined) return Promise.resolve(line)
    if (this.#ended) return Promise.reject(this.#ended)
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject }
    })
  }

  #end(message: string): void {
    if (this.#ended) return
    this.#ended = new PipetestError('PROMPT_CANCELLED', message, {
      hint: 'Run the command again to start over; the spec file is unchanged.',
    })
    const waiting = this.#waiting
    this.#waiting = undefined
    waiting?.reject(this.#ended)
  }
}
