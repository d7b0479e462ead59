import {
  describePublished,
  DEFAULT_REPORT_DIR,
  publishReport,
  REPORT_FILE,
} from '../report/index.js'
import { EXIT, stringOption, type CommandDef } from './command.js'

export const reportCommand: CommandDef = {
  name: 'report',
  positionals: [
    {
      name: 'run-folder',
      required: true,
      description: 'a run folder: <testDataDir>/.pipetest/runs/<run>',
    },
  ],
  options: {
    out: {
      type: 'string',
      value: 'DIR',
      description: `Write DIR/${REPORT_FILE} (default: ${DEFAULT_REPORT_DIR})`,
    },
    summary: {
      type: 'string',
      value: 'FILE',
      description: 'Also write the Markdown summary (counts, failures, Mermaid chart) to FILE',
    },
  },
  notes: [
    'The report is one HTML file (no network): the DAG coloured by result; click a node for its\n' +
      'spec, executions, failure, logs and outputs. Every run folder keeps its results.json, so a\n' +
      'report can be written later from any run pipetest still keeps (the last 5 by default).',
  ],
  examples: [
    'pipetest report test/integration/runtime/.pipetest/runs/20261125T224607155Z-20306-775cf9',
    'pipetest report "$RUN_FOLDER" --out ci-artifacts --summary ci-artifacts/summary.md',
  ],
  async run({ values, positionals }, ctx) {
    const published = await publishReport([positionals['run-folder']!], {
      dir: stringOption(values, 'out'),
      summaryFile: stringOption(values, 'summary'),
      cwd: ctx.cwd,
      env: ctx.env,
    })
    ctx.stdout.write(`${describePublished(published, ctx.cwd).join('\n')}\n`)
    return EXIT.ok
  },
}
