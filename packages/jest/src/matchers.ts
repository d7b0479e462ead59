import { expect } from '@jest/globals'
import { pipetestMatchers, type PipetestMatchers } from 'pipetest'
import { outputSnapshotMatcher } from 'pipetest/internal'

// `@jest/globals`' expect is the object Jest also installs as the global `expect`: one
// registration serves both styles of test file, and works with `injectGlobals: false`.
expect.extend({
  ...pipetestMatchers,
  // Jest's own snapshot assertion for the running test, so `-u`, obsolete snapshots and `--ci`
  // behave as for any snapshot.
  toMatchOutputSnapshot: outputSnapshotMatcher((_state, snapshot, hint) =>
    expect(snapshot).toMatchSnapshot(hint),
  ),
})

/* eslint-disable @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unused-vars */
declare module 'expect' {
  // `import { expect } from '@jest/globals'`. The type parameters repeat expect's own.
  interface Matchers<R extends void | Promise<void>, T = unknown> extends PipetestMatchers<R> {}
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    // The global `expect` typed by @types/jest. The type parameters repeat @types/jest's own.
    interface Matchers<R, T = {}> extends PipetestMatchers<R> {}
  }
}
/* eslint-enable @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unused-vars */
