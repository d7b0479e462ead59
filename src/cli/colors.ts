import picocolors from 'picocolors'

export type Colors = ReturnType<typeof picocolors.createColors>

/**
 * Colours for one output stream: on for a terminal, off when the stream is piped or
 * redirected (CI logs, `--json | jq`), when `NO_COLOR` is set (https://no-color.org) or
 * `--no-color` was given. `FORCE_COLOR` turns them on for CI systems that render ANSI.
 */
export function colorsFor(
  stream: { isTTY?: boolean },
  env: NodeJS.ProcessEnv,
  noColorFlag = false,
): Colors {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== ''
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0'
  return picocolors.createColors(!noColorFlag && !noColor && (stream.isTTY === true || forced))
}

/** A status's colour wherever the CLI prints one: green, red, yellow, else dim. */
export function toneOf(c: Colors, status: string): (text: string) => string {
  const tones: Record<string, (text: string) => string> = {
    passed: c.green,
    failed: c.red,
    blocked: c.yellow,
  }
  return tones[status] ?? c.dim
}
