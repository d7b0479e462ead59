/** The error `run` throws, with its fields (code, file, field…) open to assertions. */
export function errorOf(run: () => unknown): Error & Record<string, unknown> {
  try {
    run()
  } catch (error) {
    return error as Error & Record<string, unknown>
  }
  throw new Error('expected an error')
}
