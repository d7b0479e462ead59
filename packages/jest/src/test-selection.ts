/**
 * Which tests of a file jest-circus will run, decided the way it decides at run time (a
 * skipped ancestor, `.skip`, `.only` elsewhere in the file, `-t`), but known at `run_start`,
 * before any hook: the adapter starts only the scripts of tests that will run.
 */

/** The parts of jest-circus' state and tree the selection reads. */
export interface CircusRunState {
  rootDescribeBlock: CircusBlock
  hasFocusedTests: boolean
  testNamePattern?: RegExp | null
}

interface CircusBlock {
  type?: 'describeBlock'
  name: string
  mode?: string
  children: Array<CircusBlock | CircusTest>
}

interface CircusTest {
  type: 'test'
  name: string
  mode?: string
  fn: unknown
}

/** The functions of the tests that will run. */
export function testsThatWillRun(state: CircusRunState): Set<unknown> {
  const selected = new Set<unknown>()
  const visit = (block: CircusBlock, titles: string[], skipped: boolean) => {
    for (const child of block.children) {
      if (child.type === 'test') {
        const fullName = [...titles, child.name].join(' ')
        const deselected =
          skipped ||
          child.mode === 'skip' ||
          child.mode === 'todo' ||
          (state.hasFocusedTests && child.mode !== 'only') ||
          (state.testNamePattern != null && !state.testNamePattern.test(fullName))
        if (!deselected) selected.add(child.fn)
      } else {
        visit(child, [...titles, child.name], skipped || child.mode === 'skip')
      }
    }
  }
  visit(state.rootDescribeBlock, [], state.rootDescribeBlock.mode === 'skip')
  return selected
}
