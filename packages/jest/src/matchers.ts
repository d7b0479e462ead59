import { expect } from '@jest/globals'
import { pipetestMatchers, type PipetestMatchers } from 'pipetest'

// `@jest/globals`' expect is the object Jest also installs as the global `expect`: one
// registration serves both styles of test file, and works with `injectGlobals: false`.
expect.extend(pipetestMatchers)

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
