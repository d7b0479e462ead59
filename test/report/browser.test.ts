import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { describe, expect } from 'vitest'
import { PipelineTestingSpecBuilder } from '../../src/builder/index.js'
import { PipelineDAG } from '../../src/dag/index.js'
import { PipelineRun, type TierSelection } from '../../src/engine/index.js'
import { writeReport } from '../../src/report/index.js'
import type { PipelineTestingSpec, ScriptExecutionSpec } from '../../src/spec/index.js'
import { repoRoot, test, type ExampleProject, type TempDir } from '../support/fixtures.js'

/**
 * The report as a person sees it: Debian's headless Chromium, driven by Playwright's library
 * (never a downloaded browser), opens reports of real runs — the fraud-detection example
 * passing, the same with its first step broken, and a 500-node pipeline — and checks what is
 * on the screen. Screenshots land in reports/browser/ (CI artifacts).
 */
const CHROMIUM = process.env.PIPETEST_CHROMIUM ?? '/usr/bin/chromium'
const SCREENSHOTS = join(repoRoot, 'reports', 'browser')

/**
 * `browser`: one headless Chromium for the file (starting it is the slow part), its profile in
 * a temp folder; closed after the file's last test, before its profile folder is removed.
 */
const it = test.extend('browser', { scope: 'file' }, async ({ fileTempDir }, { onCleanup }) => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: install Debian's (apt-get install -y chromium) or set PIPETEST_CHROMIUM.`,
    )
  }
  mkdirSync(SCREENSHOTS, { recursive: true })
  const context = await chromium.launchPersistentContext(fileTempDir('pipetest-chromium-'), {
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1600, height: 900 },
    // The report must work offline: any request leaving the file is a bug.
    offline: true,
  })
  onCleanup(() => context.close())
  return context
})

/** The example as a user has it, in a temp folder; `labelField` breaks its first step. */
async function fraudDetectionReport(
  exampleProject: ExampleProject,
  labelField?: string,
): Promise<string> {
  const root = await exampleProject('fraud-detection')
  const builder = new PipelineTestingSpecBuilder({
    rootDir: root,
    testDataDir: 'test/integration/runtime',
  })
  const pipelineSpec = builder.buildFromDag(PipelineDAG.fromFile(join(root, 'pipeline.dag.json')))
  if (labelField) {
    const spec = pipelineSpec.scriptSpecs.TabularPreprocessing_training!
    spec.environVars = { ...spec.environVars, LABEL_FIELD: labelField }
  }
  return reportOf(pipelineSpec, root)
}

async function reportOf(
  pipelineSpec: PipelineTestingSpec,
  root: string,
  tiers: TierSelection = { scripts: true, compatibility: true, flow: true },
): Promise<string> {
  const run = new PipelineRun(pipelineSpec)
  await run.runTiers(tiers)
  await run.close()
  const { file } = await writeReport([run.runFolder], join(root, 'reports'))
  return file
}

/**
 * 500 nodes in 20 layers of 25, each copying a CSV from two parents (the `command` runner,
 * `cp`: real processes, cheap enough for a test); one node in the middle fails.
 */
async function wideReport(tempDir: TempDir): Promise<string> {
  const root = tempDir('pipetest-report-wide-')
  mkdirSync(join(root, 'data'), { recursive: true })
  writeFileSync(join(root, 'data', 'seed.csv'), 'id,value\n1,0.5\n2,0.25\n')
  const dag = new PipelineDAG({ name: 'wide-500' })
  const name = (layer: number, i: number) => `L${String(layer).padStart(2, '0')}_step_${i}`
  const specs: Record<string, ScriptExecutionSpec> = {}
  for (let layer = 0; layer < 20; layer++) {
    for (let i = 0; i < 25; i++) {
      const node = name(layer, i)
      dag.addNode(node)
      const parents = layer === 0 ? [] : [name(layer - 1, i), name(layer - 1, (i + 7) % 25)]
      for (const parent of parents) dag.addEdge(parent, node)
      const inputs: Record<string, string> =
        parents.length === 0
          ? { seed: 'data/seed.csv' }
          : {
              first: `out/${parents[0]}/data.csv`,
              second: `out/${parents[1]}/data.csv`,
            }
      const input = Object.keys(inputs)[0]!
      const broken = node === name(10, 3)
      specs[node] = {
        scriptName: node.toLowerCase(),
        stepName: node,
        inputPaths: inputs,
        outputPaths: { data: `out/${node}/data.csv` },
        environVars: {},
        jobArgs: {},
        runner: 'command',
        command: broken
          ? ['cp', `{input:${input}}`, '/nonexistent-folder/x.csv']
          : ['cp', `{input:${input}}`, '{output:data}'],
      }
    }
  }
  // The flow alone: one execution per node (the other tiers would only add edge tests).
  return reportOf({ dag, scriptSpecs: specs, testWorkspaceRoot: 'runtime', rootDir: root }, root, {
    flow: true,
  })
}

interface OpenedReport {
  page: Page
  errors: string[]
}

async function open(browser: BrowserContext, file: string): Promise<OpenedReport> {
  const page = await browser.newPage()
  const errors: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') errors.push(message.text())
  })
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('request', (request) => {
    if (!request.url().startsWith('file:')) errors.push(`request to ${request.url()}`)
  })
  await page.goto(`file://${file}`)
  await page.locator('section.pipeline:not([hidden]) svg.dag').waitFor()
  return { page, errors }
}

function node(page: Page, name: string) {
  return page.locator(`section.pipeline:not([hidden]) g.node[data-name="${name}"]`)
}

async function colours(page: Page, name: string): Promise<{ fill: string; stroke: string }> {
  return (
    node(page, name)
      .locator('rect')
      // Runs in the page, where the DOM exists (this file is type-checked for Node).
      .evaluate((rect) => {
        const style = (
          globalThis as unknown as {
            getComputedStyle(el: unknown): { fill: string; stroke: string }
          }
        ).getComputedStyle(rect)
        return { fill: style.fill, stroke: style.stroke }
      })
  )
}

const GREEN = 'rgb(22, 163, 74)'
const RED = 'rgb(220, 38, 38)'
const AMBER = 'rgb(217, 119, 6)'

describe('the HTML report in a browser', () => {
  it('shows a passing run: green nodes, and a node’s data preview after a click', async ({
    browser,
    exampleProject,
  }) => {
    const { page, errors } = await open(browser, await fraudDetectionReport(exampleProject))
    const panel = page.locator('section.pipeline:not([hidden]) .panel')
    await expect.poll(() => page.locator('.verdict').first().textContent()).toBe('PASSED')
    expect(await page.locator('g.node.passed').count()).toBe(5)
    expect(await colours(page, 'StratifiedSampling_training')).toMatchObject({ stroke: GREEN })

    await node(page, 'TabularPreprocessing_training').click()
    await expect.poll(() => panel.locator('h2').textContent()).toBe('TabularPreprocessing_training')
    const summary = panel.locator('table.summary-table')
    await expect.poll(() => summary.locator('tbody tr').count()).toBe(8)
    expect(await summary.locator('tbody tr').first().textContent()).toContain('transaction_id')
    expect(await panel.textContent()).toMatch(
      /\d+ rows \(test \d+, train \d+, val \d+\), 8 columns/,
    )
    const firstRow = panel.locator('table.rows-table tbody tr').first()
    expect(await firstRow.textContent()).toMatch(/^T\d{5}/)
    await page.screenshot({ path: join(SCREENSHOTS, 'passing.png') })
    expect(errors).toEqual([])
  })

  it('shows a failing run: the failed node red, its traceback beside the DAG, the rest blocked', async ({
    browser,
    exampleProject,
  }) => {
    const { page, errors } = await open(
      browser,
      await fraudDetectionReport(exampleProject, 'is_fraudd'),
    )
    const panel = page.locator('section.pipeline:not([hidden]) .panel')
    expect(await page.locator('.verdict').first().textContent()).toBe('FAILED')
    // Opening the page selects the first failure; look at another node to see its colours.
    await node(page, 'Package').click()
    await expect.poll(() => panel.textContent()).toContain('blocked by')
    expect(await colours(page, 'TabularPreprocessing_training')).toMatchObject({
      fill: 'rgb(254, 242, 242)',
      stroke: RED,
    })
    expect(await colours(page, 'StratifiedSampling_training')).toMatchObject({ stroke: AMBER })
    expect(await page.locator('g.edge.blocked').count()).toBe(6)

    await node(page, 'TabularPreprocessing_training').click()
    const traceback = panel.locator('pre.traceback')
    await expect
      .poll(() => traceback.textContent())
      .toContain("ValueError: LABEL_FIELD 'is_fraudd' is not a column")
    expect(await traceback.textContent()).toContain('Traceback (most recent call last)')
    expect(await panel.locator('.failure .message').textContent()).toMatch(
      /^exception: main\(\) raised ValueError/,
    )
    expect(await panel.textContent()).toContain('LABEL_FIELD')
    await page.screenshot({ path: join(SCREENSHOTS, 'failing.png') })
    expect(errors).toEqual([])
  })

  it('keeps a 500-node run usable: search by name, failed-only filter, zoom', async ({
    browser,
    tempDir,
  }) => {
    const { page, errors } = await open(browser, await wideReport(tempDir))
    expect(await page.locator('g.node').count()).toBe(500)
    expect(await page.locator('g.node.failed').count()).toBe(1)
    const blocked = await page.locator('g.node.blocked').count()
    expect(blocked).toBeGreaterThan(0)

    const search = page.locator('section.pipeline:not([hidden]) .search')
    await search.fill('L07_step_12')
    await expect.poll(() => page.locator('g.node.match').count()).toBe(1)
    expect(await page.locator('.matches').first().textContent()).toBe('1 match')
    await search.press('Enter')
    const panel = page.locator('section.pipeline:not([hidden]) .panel')
    await expect.poll(() => panel.locator('h2').textContent()).toBe('L07_step_12')
    expect(await node(page, 'L07_step_12').getAttribute('class')).toContain('selected')

    await search.fill('')
    await page.locator('.failed-only').first().check()
    await expect.poll(() => page.locator('g.node:not(.dim)').count()).toBe(1 + blocked)

    const svg = page.locator('section.pipeline:not([hidden]) svg.dag')
    const before = await svg.getAttribute('viewBox')
    await page.locator('.zoom-in').first().click()
    expect(await svg.getAttribute('viewBox')).not.toBe(before)
    await page.locator('.zoom-fit').first().click()

    await node(page, 'L10_step_3').click()
    await expect.poll(() => panel.textContent()).toContain('/nonexistent-folder/x.csv')
    await page.screenshot({ path: join(SCREENSHOTS, 'wide-500.png') })
    expect(errors).toEqual([])
  })

  it('opens the node a link names (the links printed at the end of a run)', async ({
    browser,
    exampleProject,
  }) => {
    const file = await fraudDetectionReport(exampleProject, 'is_fraudd')
    const { page, errors } = await open(browser, file)
    const data = await page.locator('#pipetest-data').textContent()
    const id = (JSON.parse(data!) as { pipelines: Array<{ id: string }> }).pipelines[0]!.id
    await page.goto(`file://${file}#${encodeURIComponent(id)}/ModelTraining_training`)
    await page.reload()
    const panel = page.locator('section.pipeline:not([hidden]) .panel')
    await expect.poll(() => panel.locator('h2').textContent()).toBe('ModelTraining_training')
    expect(errors).toEqual([])
  })
})
