/**
 * Timing helpers. The bench machine is shared and noisy, so nothing here reports a single
 * sample: every figure is the median of several repetitions, and the measures compare it
 * with a baseline timed in the same run (interleaved, so drift hits both alike).
 */

/** Milliseconds from a monotonic clock (immune to wall-clock adjustments). */
export function nowMs() {
  return Number(process.hrtime.bigint()) / 1e6
}

/** Runs `fn` once and returns its duration in ms and its value. */
export async function timed(fn) {
  const start = nowMs()
  const value = await fn()
  return { ms: nowMs() - start, value }
}

export function median(values) {
  if (values.length === 0) throw new Error('median of no values')
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/**
 * Times each variant `repeat` times, alternating between them within every repetition
 * (A B A B …) so that a burst of load from a neighbour slows both sides, not just one.
 * Returns, per variant, the samples and their median in ms.
 */
export async function compareInterleaved(variants, repeat) {
  const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, []]))
  for (let i = 0; i < repeat; i++) {
    // Alternate the order too: the second of a pair may profit from a warm page cache.
    const names = Object.keys(variants)
    if (i % 2 === 1) names.reverse()
    for (const name of names) {
      const { ms } = await timed(variants[name])
      samples[name].push(ms)
    }
  }
  return Object.fromEntries(
    Object.entries(samples).map(([name, values]) => [
      name,
      { median: median(values), samples: values },
    ]),
  )
}

/** Times `fn` `repeat` times and returns the samples and their median in ms. */
export async function repeatTimed(fn, repeat) {
  const values = []
  for (let i = 0; i < repeat; i++) values.push((await timed(fn)).ms)
  return { median: median(values), samples: values }
}
