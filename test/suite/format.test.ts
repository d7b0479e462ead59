import { describe, expect, test } from 'vitest'
import type { ExecutionResult } from '../../src/engine/results.js'
import { formatBlocked, formatExecutionFailure } from '../../src/suite/format.js'

function execution(overrides: Partial<ExecutionResult>): ExecutionResult {
  return {
    id: 'x',
    node: 'Train',
    scriptName: 'train',
    scriptPath: '/repo/scripts/train.py',
    runner: 'python',
    status: 'failed',
    outcome: 'exception',
    shortMessage: "main() raised KeyError: 'label'",
    message: "main() raised KeyError: 'label'\nRun folder: /repo/runs/1/Train/1-script",
    exitCode: 1,
    signal: null,
    durationMs: 1520,
    stdoutTail: 'loading\n',
    stderrTail:
      'Traceback (most recent call last):\n  File "train.py", line 3\nKeyError: \'label\'\n',
    logs: {},
    runDir: '/repo/runs/1/Train/1-script',
    inputs: { data_input: '/repo/runs/1/Prep/1-script/outputs/data_output' },
    wiredFrom: { data_input: { node: 'Prep', output: 'data_output' } },
    missingInputs: [],
    outputs: [
      { name: 'model', path: '/o/model', produced: false, kind: 'directory', files: 0, bytes: 0 },
      { name: 'metrics', path: '/o/m.json', produced: true, kind: 'file', files: 1, bytes: 9 },
    ],
    producedOutputs: ['metrics'],
    missingOutputs: ['model'],
    startedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  }
}

describe('formatExecutionFailure', () => {
  test('says what failed, then the evidence, then where the files are', () => {
    expect(formatExecutionFailure(execution({}), { rootDir: '/repo' })).toBe(
      [
        "Train failed (exception): main() raised KeyError: 'label'",
        '  exit code 1, 1.5 s',
        '  script: scripts/train.py (python)',
        '  input data_input ← Prep.data_output',
        '  outputs: produced metrics; missing model',
        '  stderr (last 30 lines):',
        '    Traceback (most recent call last):',
        '      File "train.py", line 3',
        "    KeyError: 'label'",
        '  run folder: /repo/runs/1/Train/1-script',
      ].join('\n'),
    )
  })

  test('prefers a traceback the harness extracted over an unrelated stderr tail', () => {
    const message = formatExecutionFailure(
      execution({ stderrTail: 'warning: slow disk\n', traceback: 'Traceback …\nValueError: x' }),
    )
    expect(message).toContain('  traceback:\n    Traceback …\n    ValueError: x')
    expect(message).not.toContain('warning: slow disk')
  })

  test('shows stdout when stderr is empty, and only the last 30 lines', () => {
    const stdout = Array.from({ length: 40 }, (_, i) => `line ${i + 1}`).join('\n')
    const message = formatExecutionFailure(execution({ stderrTail: '', stdoutTail: stdout }))
    expect(message).toContain('  stdout (last 30 lines):\n    line 11\n')
    expect(message).not.toContain('line 10\n')
  })

  test('leaves out process details for a failure found before starting', () => {
    const message = formatExecutionFailure(
      execution({
        outcome: 'missing-inputs',
        shortMessage: "Script 'train' requires the following input data\n  - data_input: /x",
        message: "Script 'train' requires the following input data\n  - data_input: /x",
        exitCode: null,
        durationMs: 0,
        stderrTail: '',
        stdoutTail: '',
        outputs: [],
        producedOutputs: [],
        missingOutputs: [],
        wiredFrom: {},
        missingInputs: [{ name: 'data_input', path: '/x' }],
      }),
    )
    expect(message).toBe(
      [
        "Train failed (missing-inputs): Script 'train' requires the following input data",
        '    - data_input: /x',
        '  script: /repo/scripts/train.py (python)',
      ].join('\n'),
    )
  })
})

test('formatBlocked names the node that failed', () => {
  expect(formatBlocked('Prep')).toBe('blocked by Prep')
})
