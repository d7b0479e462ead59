import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'vitest'
import { test } from './run-jest.js'

test('the reporter writes the HTML report of the runs made in the workers and links the failure', async ({
  jestProject,
  runJest,
}) => {
  const root = await jestProject('failing-node-blocks-downstream')
  const run = await runJest(root, ['--reporters=@pipetest/jest/reporter'])
  expect(run.exitCode).toBe(1)
  expect(run.output).toMatch(/^ {2}Report {8}reports\/pipetest-report\.html$/m)
  expect(run.output).toMatch(/^ {4}✗ Transform: file:\/\/\S+pipetest-report\.html#\S+\/Transform$/m)
  const html = readFileSync(join(root, 'reports', 'pipetest-report.html'), 'utf8')
  expect(html).toMatch(/<g class="node failed" data-node="1" data-name="Transform"/)
  expect(html).toMatch(/<g class="node blocked" data-node="2" data-name="Load"/)
})
