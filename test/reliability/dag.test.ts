import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { execa } from 'execa'
import { describe, expect } from 'vitest'
import {
  PipelineDAG,
  PipelineTestingSpecBuilder,
  isPipetestError,
  type PipetestError,
  type PipetestErrorCode,
} from '../../src/index.js'
import { planPipelineSuite } from '../../src/suite/index.js'
import {
  OUR_STACK_FRAME,
  cliJs,
  distIndexJs,
  distReady,
  expectNoProcessLeft,
  fixturesDir,
  it,
  test,
  type TempProject,
} from './helpers.js'

/**
 * Fault matrix, DAG rows: every malformed DAG file ends in one PipetestError with a stable
 * code, the file and the offending names — the same from the library, from the test-suite
 * planner the adapters use, and from the CLI (exit 1, no stack trace of ours) — and the file
 * is left exactly as it was.
 */

test.beforeAll(distReady)

interface DagRow {
  row: string
  /** The DAG file's text. */
  text: string
  code: PipetestErrorCode
  words: string[]
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`

const rows: DagRow[] = [
  {
    row: 'malformed JSON (trailing comma)',
    text: '{\n  "nodes": ["A", "B"],\n  "edges": [["A", "B"],]\n}\n',
    code: 'DAG_INVALID_JSON',
    words: ['is not valid JSON', 'line 3, column'],
  },
  {
    row: 'malformed JSON (empty file)',
    text: '',
    code: 'DAG_INVALID_JSON',
    words: ['is not valid JSON', 'the file is empty'],
  },
  {
    row: 'not an object (a list)',
    text: json(['A', 'B']),
    code: 'DAG_INVALID',
    words: ['must be a JSON object', 'got a list'],
  },
  {
    row: 'not an object (a string)',
    text: json('A -> B'),
    code: 'DAG_INVALID',
    words: ['must be a JSON object', 'got the string "A -> B"'],
  },
  {
    row: 'cycle',
    text: json({
      nodes: ['Load', 'A', 'B', 'C'],
      edges: [
        ['Load', 'A'],
        ['A', 'B'],
        ['B', 'C'],
        ['C', 'A'],
      ],
    }),
    code: 'DAG_CYCLE',
    words: ['has a cycle', 'A → B → C → A'],
  },
  {
    row: 'edge to an unknown node',
    text: json({
      nodes: ['Preprocess', 'Train'],
      edges: [{ source: 'Preprocess', target: 'Trian' }],
    }),
    code: 'DAG_UNKNOWN_NODE',
    words: ['"Trian"', 'not a declared node', 'Preprocess, Train'],
  },
  {
    row: 'self-loop',
    text: json({ nodes: ['Preprocess', 'Train'], edges: [['Train', 'Train']] }),
    code: 'DAG_SELF_LOOP',
    words: ['"Train"', 'to itself'],
  },
  {
    row: 'duplicate node',
    text: json({ nodes: ['Preprocess', 'Train', { name: 'Preprocess' }], edges: [] }),
    code: 'DAG_DUPLICATE_NODE',
    words: ['"Preprocess"', 'declared twice'],
  },
  {
    row: 'empty DAG',
    text: json({ nodes: [], edges: [] }),
    code: 'DAG_EMPTY',
    words: ['has no nodes'],
  },
  {
    row: 'a 300-character node name (ENAMETOOLONG at run time)',
    text: json({ nodes: ['Load', `Train${'x'.repeat(295)}`], edges: [] }),
    code: 'DAG_BAD_NAME',
    words: ['300 characters long', 'at most 100'],
  },
  {
    row: 'ESC in a node name',
    text: json({ nodes: ['Load', 'Train\u001b[2J\u001b[31m'], edges: [] }),
    code: 'DAG_BAD_NAME',
    words: ['"Train\\u001b[2J\\u001b[31m"', 'invisible character \\u001b'],
  },
  {
    row: 'NUL in a node name',
    text: json({ nodes: [{ name: 'Tr\u0000ain', script: 'train.py' }], edges: [] }),
    code: 'DAG_BAD_NAME',
    words: ['"Tr\\u0000ain"', 'invisible character \\u0000'],
  },
  {
    row: 'an edge to an unknown node whose name holds ESC',
    text: json({ nodes: ['Load'], edges: [['Load', '\u001b]0;owned\u0007']] }),
    code: 'DAG_UNKNOWN_NODE',
    words: ['"\\u001b]0;owned\\u0007"', 'not a declared node'],
  },
  {
    row: 'a repeated edge with other ports (the second used to win silently)',
    text: json({
      nodes: ['Load', 'Train'],
      edges: [
        { from: 'Load', to: 'Train', ports: { data: 'train_input' } },
        { from: 'Load', to: 'Train', ports: { data: 'eval_input' } },
      ],
    }),
    code: 'DAG_DUPLICATE_EDGE',
    words: [
      'Edge Load → Train is declared twice with different ports',
      '{"data":"train_input"} and {"data":"eval_input"}',
    ],
  },
]

/** What must never reach a terminal from a message: control characters other than newline. */
const CONTROL = /(?!\n)\p{Cc}/u

function catchError(action: () => unknown): PipetestError {
  try {
    action()
  } catch (error) {
    if (isPipetestError(error)) return error
    throw error
  }
  throw new Error('expected a PipetestError, but nothing was thrown')
}

async function cli(project: TempProject, args: string[]) {
  return execa('node', [cliJs, ...args], {
    cwd: project.root,
    reject: false,
    env: { NO_COLOR: '1' },
    timeout: 60_000,
  })
}

describe('DAG rows: a bad DAG file gives one clear error and is left untouched', () => {
  it.for(rows.map((row) => [`${row.row} → ${row.code}`, row] as const))(
    '%s',
    async ([, { text, code, words }], { project }) => {
      const file = project.write('pipeline.dag.json', text)
      const before = project.snapshot()

      // The library.
      const error = catchError(() => PipelineDAG.fromFile(file))
      expect(error.code).toBe(code)
      for (const word of words) expect(error.message).toContain(word)
      expect(error.message).toContain(file)
      expect(error.file).toBe(file)
      expect(error.hint, 'every error says what to do').toBeTruthy()

      // The builder and the planner behind describePipeline report the same error.
      const builder = new PipelineTestingSpecBuilder({ rootDir: project.root })
      expect(catchError(() => builder.checkSpecs(file)).code).toBe(code)
      expect(catchError(() => planPipelineSuite(file, { rootDir: project.root })).code).toBe(code)

      // The command line: exit 1, the message and the hint, none of our stack frames.
      const result = await cli(project, ['validate', 'pipeline.dag.json'])
      expect(result.exitCode).toBe(1)
      expect(result.stderr).toMatch(/^error: /)
      for (const word of words) expect(result.stderr).toContain(word)
      expect(result.stderr).toContain(error.hint)
      expect(result.stderr).not.toMatch(OUR_STACK_FRAME)
      expect(result.stderr).not.toMatch(CONTROL)

      expect(project.snapshot()).toEqual(before)
      await expectNoProcessLeft(project)
    },
  )

  it('a UTF-8 byte order mark at the start of the DAG file → read as if absent', async ({
    project,
  }) => {
    const file = project.write(
      'pipeline.dag.json',
      `\ufeff${json({ nodes: ['Prepare', 'Train'], edges: [['Prepare', 'Train']] })}`,
    )
    const before = project.snapshot()
    expect(PipelineDAG.fromFile(file).edges).toEqual([{ from: 'Prepare', to: 'Train' }])
    const result = await cli(project, ['validate', 'pipeline.dag.json'])
    expect(result.stderr).not.toContain('not valid JSON')
    expect(result.stdout).toContain('Prepare')
    expect(project.snapshot()).toEqual(before)
  })

  it('a DAG file that does not exist → DAG_NOT_FOUND naming the path', async ({ project }) => {
    const missing = project.path('pipelines', 'missing.dag.json')
    const error = catchError(() => PipelineDAG.fromFile(missing))
    expect(error.code).toBe('DAG_NOT_FOUND')
    expect(error.message).toContain(missing)
    expect(error.message).toContain('does not exist')
    const result = await cli(project, ['validate', 'pipelines/missing.dag.json'])
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain('does not exist')
    expect(result.stderr).not.toMatch(OUR_STACK_FRAME)
  })
})

describe('DAG rows: a 1,000-node DAG', () => {
  const count = 1000
  const name = (i: number) => `Step${String(i).padStart(4, '0')}_training`
  const edges: Array<[string, string]> = []
  for (let i = 10; i < count; i++) edges.push([name(i - 10), name(i)], [name(i - 7), name(i)])

  /** Declared in reverse so the sort has real work; every node i >= 10 reads i-10 and i-7. */
  function bigProject(project: TempProject): { project: TempProject; file: string } {
    project.copyScripts(['ok.py'])
    const nodes = Array.from({ length: count }, (_, i) => name(count - 1 - i))
    const file = project.writeDag('big.dag.json', { name: 'big', nodes, edges })
    for (let i = 0; i < count; i++) {
      project.writeSpec({
        script: `step${String(i).padStart(4, '0')}`,
        step: name(i),
        scriptPath: 'scripts/ok.py',
        outputs: { data_output: `test/integration/runtime/out/${i}` },
      })
    }
    return { project, file }
  }

  it('loads, sorts and builds its specs', ({ project }) => {
    const { file } = bigProject(project)
    const before = project.snapshot()

    const dag = PipelineDAG.fromFile(file)
    const order = dag.topologicalSort()
    expect(order).toHaveLength(count)
    const position = new Map(order.map((node, i) => [node, i]))
    for (const [from, to] of edges) expect(position.get(from)!).toBeLessThan(position.get(to)!)
    // Deterministic: the same order every time.
    expect(PipelineDAG.fromFile(file).topologicalSort()).toEqual(order)

    const builder = new PipelineTestingSpecBuilder({ rootDir: project.root })
    const pipelineSpec = builder.buildFromDag(file)
    expect(Object.keys(pipelineSpec.scriptSpecs)).toHaveLength(count)
    expect(pipelineSpec.scriptSpecs[name(123)]?.scriptName).toBe('step0123')
    expect(builder.checkSpecs(file)).toEqual([])
    expect(project.snapshot()).toEqual(before)
  })

  it('plans describePipeline’s tests (one per node, per edge, and the flow), reading each spec file a few times', async ({
    project,
  }) => {
    const { file } = bigProject(project)
    const before = project.snapshot()
    // In a child process, counting spec file reads: the work is measured without timing it.
    // Reading every spec file once per node would be 1,000,000 reads here (a minute or more);
    // the driver stops at the limit instead.
    const limit = 10 * count
    const planned = await execa(
      'node',
      [
        join(fixturesDir, 'drivers', 'plan-driver.mjs'),
        distIndexJs,
        project.root,
        file,
        String(limit),
      ],
      { timeout: 300_000 },
    )
    const report = JSON.parse(planned.stdout) as {
      cases?: Record<string, number>
      specReads: number
      limitReached?: boolean
    }
    expect(
      report.limitReached,
      `planning read the ${count} spec files more than ${limit} times`,
    ).toBeUndefined()
    expect(report.cases).toEqual({
      specs: count,
      scripts: count,
      compatibility: edges.length,
      flow: 1,
    })
    expect(project.snapshot()).toEqual(before)
  })
})

describe('command-line rows: a mistyped option is named with what it must be', () => {
  function demoProject(project: TempProject): TempProject {
    project.writeDag('pipeline.dag.json', {
      nodes: ['Prepare', 'Train'],
      edges: [['Prepare', 'Train']],
    })
    return project
  }

  it.for([
    [['--concurrency', '-1'], '--concurrency "-1" must be a whole number ≥ 1'],
    [['--timeout', '-5'], '--timeout "-5" must be a number of seconds > 0'],
    [['--timeout', '-.5'], '--timeout "-.5" must be a number of seconds > 0'],
  ] as const)(
    'run %j → usage error saying what the value must be',
    async ([args, message], { project }) => {
      demoProject(project)
      const before = project.snapshot()
      const result = await cli(project, ['run', 'pipeline.dag.json', ...args])
      expect(result.exitCode).toBe(2)
      expect(result.stderr).toContain(message)
      expect(result.stderr).not.toContain('needs a value')
      expect(project.snapshot()).toEqual(before)
    },
  )

  it.for<[string[], string]>([
    [['run', 'pipeline.dag.json', '--only', 'Tr\u001b[2Jain'], '--only names "Tr\\u001b[2Jain"'],
    [
      ['spec', 'set', 'Tr\u001b[2Jain', '--dag', 'pipeline.dag.json', '--env', 'X=1'],
      'Node "Tr\\u001b[2Jain" is not in the DAG',
    ],
    [
      ['spec', 'show', 'Tr\u001b[2Jain', '--dag', 'pipeline.dag.json'],
      'Node "Tr\\u001b[2Jain" is not in the DAG',
    ],
  ])(
    '%j: a node name with control characters is shown escaped',
    async ([args, message], { project }) => {
      demoProject(project)
      const before = project.snapshot()
      const result = await cli(project, args)
      expect(result.exitCode).toBe(1)
      expect(result.stderr).toContain(message)
      expect(result.stderr).not.toMatch(CONTROL)
      expect(project.snapshot()).toEqual(before)
    },
  )

  it.for([
    ['validate', ['validate', 'pipeline.dag.json']],
    ['init', ['init', 'pipeline.dag.json']],
    ['run', ['run', 'pipeline.dag.json']],
    ['spec set', ['spec', 'set', 'Prepare', '--dag', 'pipeline.dag.json', '--env', 'X=1']],
    ['spec list', ['spec', 'list', '--dag', 'pipeline.dag.json']],
  ] as const)(
    '%s --root <missing folder> → exit 1 naming it, nothing created',
    async ([, args], { project }) => {
      demoProject(project)
      const missing = join(project.scratch, 'no-such-root')
      const before = project.snapshot()
      const result = await cli(project, [...args, '--root', missing])
      expect(result.exitCode).toBe(1)
      expect(result.stderr).toMatch(/^error: /)
      expect(result.stderr).toContain(`--root ${missing} does not exist`)
      expect(result.stderr).not.toMatch(OUR_STACK_FRAME)
      expect(existsSync(missing)).toBe(false)
      expect(project.snapshot()).toEqual(before)
    },
  )

  it('--root naming a file → exit 1, "is not a folder"', async ({ project }) => {
    demoProject(project)
    const file = project.write('notes.txt', 'not a folder\n')
    const result = await cli(project, ['validate', 'pipeline.dag.json', '--root', file])
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain(`--root ${file} is not a folder`)
  })
})

describe('DAG rows: 50,000 nodes in a ring or a chain (every graph walk is iterative)', () => {
  const count = 50_000
  const name = (i: number) => `Step${i}`
  function longDag(ring: boolean) {
    const nodes = Array.from({ length: count }, (_, i) => name(i))
    const edges: Array<[string, string]> = []
    for (let i = 1; i < count; i++) edges.push([name(i - 1), name(i)])
    if (ring) edges.push([name(count - 1), name(0)])
    return { nodes, edges }
  }

  it('a ring → DAG_CYCLE naming the cycle, from the library and from pipetest validate', async ({
    project,
  }) => {
    const file = project.writeDag('ring.dag.json', longDag(true))
    const error = catchError(() => PipelineDAG.fromFile(file))
    expect(error.code).toBe('DAG_CYCLE')
    expect(error.message).toContain(`has a cycle: ${name(0)} → ${name(1)} → ${name(2)} → `)
    expect(error.message).toContain(`${name(count - 1)} → ${name(0)}`)
    expect(error.message).not.toContain('Maximum call stack')

    const result = await cli(project, ['validate', 'ring.dag.json'])
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain('has a cycle')
    expect(result.stderr).not.toMatch(OUR_STACK_FRAME)
  })

  it('a chain loads, sorts and walks ancestors and descendants; pipetest validate reports its specs', async ({
    project,
  }) => {
    const file = project.writeDag('chain.dag.json', longDag(false))
    const dag = PipelineDAG.fromFile(file)
    expect(dag.findCycle()).toBeUndefined()
    const order = dag.topologicalSort()
    expect(order).toHaveLength(count)
    expect(order[0]).toBe(name(0))
    expect(order.at(-1)).toBe(name(count - 1))
    expect(dag.ancestorsOf(name(count - 1))).toHaveLength(count - 1)
    expect(dag.descendantsOf(name(0))).toHaveLength(count)

    const result = await cli(project, ['validate', 'chain.dag.json', '--json'])
    expect(result.stderr).not.toMatch(OUR_STACK_FRAME)
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toContain(name(count - 1))
  }, 300_000)
})
