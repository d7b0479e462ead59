import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect } from 'vitest'
import { it, type TempDir } from '../support/fixtures.js'
import { assertBuilt, cli, completeSpecs, pythonProject, write } from './cli-harness.js'

beforeAll(assertBuilt)

async function failingProject(tempDir: TempDir) {
  const project = pythonProject(tempDir())
  await completeSpecs(project)
  const result = await cli(['spec', 'set', 'Train', '--env', 'FAIL=1', '--dag', project.dag], {
    cwd: project.root,
  })
  expect(result.code).toBe(0)
  return project
}

describe('pipetest run --report', () => {
  it('writes one HTML file and links each failed node to its entry at the end of the run', async ({
    tempDir,
  }) => {
    const project = await failingProject(tempDir)
    const result = await cli(['run', project.dag, '--report'], { cwd: project.root })
    expect(result.code).toBe(1)
    const file = join(project.root, 'reports', 'pipetest-report.html')
    expect(result.stdout).toMatch(/^Report {8}reports\/pipetest-report\.html$/m)
    const link = /^ {2}✗ Train: (file:\/\/\S+)$/m.exec(result.stdout)?.[1]
    expect(link).toMatch(/pipetest-report\.html#\d{8}T\d+Z-\d+-[0-9a-f]+\/Train$/)
    const html = readFileSync(file, 'utf8')
    // One file: no external stylesheet, script, image or font.
    expect(html).not.toMatch(/<link\b|<script[^>]+src=|<img\b|url\(http/)
    expect(html).toContain('<g class="node failed" data-node="1"')
    expect(html).toContain('train was told to fail')
  })

  it('takes a folder after --report and writes the Markdown summary with --summary', async ({
    tempDir,
  }) => {
    const project = await failingProject(tempDir)
    const result = await cli(
      ['run', '--report', 'out/html', project.dag, '--summary', 'out/summary.md'],
      { cwd: project.root },
    )
    expect(result.code).toBe(1)
    expect(existsSync(join(project.root, 'out/html/pipetest-report.html'))).toBe(true)
    const summary = readFileSync(join(project.root, 'out/summary.md'), 'utf8')
    expect(summary).toContain('| Scripts | 1 | 1 | 1 | 0 |')
    expect(summary).toMatch(
      /^- `Train` — exception: main\(\) raised RuntimeError: train was told to fail$/m,
    )
    expect(summary).toContain('```mermaid\nflowchart LR')
    expect(summary).toContain('class Train failed')
  })

  it('appends the summary to the GitHub Actions job summary', async ({ tempDir }) => {
    const project = await failingProject(tempDir)
    const jobSummary = write(project.root, 'github/step_summary.md', '# earlier step\n')
    const result = await cli(['run', project.dag], {
      cwd: project.root,
      env: { GITHUB_STEP_SUMMARY: jobSummary },
    })
    expect(result.code).toBe(1)
    const text = readFileSync(jobSummary, 'utf8')
    expect(text.startsWith('# earlier step\n## ❌ pipetest: demo — failed')).toBe(true)
    expect(text).toContain('class Report blocked')
  })
})

describe('pipetest report <run-folder>', () => {
  it('writes the report of a kept run folder', async ({ tempDir }) => {
    const project = pythonProject(tempDir())
    await completeSpecs(project)
    const run = await cli(['run', project.dag, '--json'], { cwd: project.root })
    const { runDir } = JSON.parse(run.stdout) as { runDir: string }
    const result = await cli(['report', runDir, '--out', 'later'], { cwd: project.root })
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('Report        later/pipetest-report.html\n')
    expect(readFileSync(join(project.root, 'later/pipetest-report.html'), 'utf8')).toContain(
      '<span class="verdict passed">PASSED</span>',
    )
  })

  it('names the folder and what to give instead when it is not a run folder', async ({
    tempDir,
  }) => {
    const dir = tempDir()
    const result = await cli(['report', dir], { cwd: dir })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`${dir} is not a pipetest run folder (no run.json)`)
    expect(result.stderr).toContain('Give a folder under <testDataDir>/.pipetest/runs/')
    expect(result.stderr).not.toMatch(/\n\s+at /)
  })
})
