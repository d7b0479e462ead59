import { createInterface, type Interface } from 'node:readline/promises'
import type { Readable, Writable } from 'node:stream'
import { PipetestError } from '../errors.js'

/** What a validator says about an answer: the value to keep, or a one-line reason to ask again. */
export type Verdict<T> = { ok: true; value: T } | { ok: false; reason: string }

/**
 * Line-by-line questions over any pair of streams. Answers are read through the interface's
 * async iterator, which queues lines that arrive while no question is pending (a pasted block
 * of answers, or a test writing them all at once) — `rl.question()` would drop them. Ctrl-C
 * and end of input reject the pending and every later question with
 * PipetestError('PROMPT_CANCELLED'); answers queued before that are still used.
 */
export class Prompter {
  readonly #rl: Interface
  readonly #output: Writable
  readonly #lines: AsyncIterator<string>
  readonly #what: string
  #interrupted = false
  #closed = false

  constructor(input: Readable, output: Writable, what: string) {
    this.#output = output
    this.#what = what
    this.#rl = createInterface({
      input,
      output,
      terminal: (output as { isTTY?: boolean }).isTTY === true,
    })
    this.#lines = this.#rl[Symbol.asyncIterator]()
    this.#rl.on('close', () => (this.#closed = true))
    this.#rl.on('SIGINT', () => {
      this.#interrupted = true
      this.#rl.close()
    })
  }

  /** Writes one line of text (not a question). */
  say(text: string): void {
    this.#output.write(`${text}\n`)
  }

  /** Asks until `validate` accepts the trimmed answer, explaining each rejection in one line. */
  async ask<T>(question: string, validate: (answer: string) => Verdict<T>): Promise<T> {
    for (;;) {
      // Answers still queued after the input ended are used; the interface itself is closed.
      if (this.#closed) this.#output.write(question)
      else {
        this.#rl.setPrompt(question)
        this.#rl.prompt()
      }
      const line = await this.#lines.next()
      if (line.done) throw this.#cancelled()
      const verdict = validate(line.value.trim())
      if (verdict.ok) return verdict.value
      this.say(`  ✗ ${verdict.reason}`)
    }
  }

  close(): void {
    this.#rl.close()
  }

  #cancelled(): PipetestError {
    const what = this.#what
    return new PipetestError(
      'PROMPT_CANCELLED',
      this.#interrupted
        ? `Interrupted (Ctrl-C) while editing ${what}; nothing was saved`
        : `Input ended before ${what} was complete; nothing was saved`,
      { hint: 'Run the command again to start over; the spec file is unchanged.' },
    )
  }
}
