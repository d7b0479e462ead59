import { isPipetestError } from '../errors.js'
import { EXIT, flag, stringOption, type CommandDef } from './command.js'
import { dagForNode, knownDag, locatingArgs, openProject } from './project.js'
import { projectOptions } from './project-options.js'
import { guessedName, noSpec } from './spec-set.js'
import { updateScriptSpecInteractive } from './spec-prompts.js'
import { shellQuote } from '../text.js'

export const specEditCommand: CommandDef = {
  name: 'spec edit',
  positionals: [{ name: 'node', required: true, description: 'the DAG node (step name)' }],
  options: {
    dag: {
      type: 'string',
      value: 'FILE',
      description:
        "The node's DAG (default: the only *.dag.json at --root); its declared script decides which spec file is edited, and an unknown node is refused",
    },
    new: {
      type: 'boolean',
      description: 'Without a DAG: create a spec for a name that has none (else refused as a typo)',
    },
    ...projectOptions,
  },
  notes: [
    'Asks for the script path, each input and output, environment variables, job arguments and\n' +
      'notes; Enter keeps the value in [brackets]. The file is written once, after the last\n' +
      'answer; Ctrl-C writes nothing (exit 130). Needs a terminal: in scripts and CI use\n' +
      '"pipetest spec set", which this command prints when there is no terminal.',
  ],
  examples: ['pipetest spec edit TabularPreprocessing_training --dag pipeline.dag.json'],
  async run({ values, positionals }, ctx) {
    const project = openProject(values, ctx)
    const node = positionals.node!
    const dagFile = stringOption(values, 'dag')
    // The same rules as `spec set`: the DAG found the same way (an unknown node is refused
    // with a did-you-mean); without one, a guessed name is refused and a new one needs --new.
    const known = knownDag(project, dagFile, ctx)
    const dag = known ?? dagForNode(project, undefined, node, ctx)
    const { builder } = project
    if (known === undefined) {
      const found = builder.resolveNode(dag, node)
      if (found.source === 'fuzzy') throw guessedName(node, found, ctx)
      if (found.specFile === undefined && !flag(values, 'new')) throw noSpec(node, builder, ctx)
    }

    try {
      // The prompts have already said which file they saved; without a terminal they refuse
      // with the `spec set` command that writes the current spec.
      await updateScriptSpecInteractive(builder, node, {
        input: ctx.stdin,
        output: ctx.stdout,
        dag,
        rerun: [...(dagFile ? ['--dag', dagFile] : []), ...locatingArgs(values)],
      })
      const next = dagFile
        ? `pipetest validate ${[dagFile, ...locatingArgs(values)].map(shellQuote).join(' ')}`
        : 'pipetest validate <dag>'
      ctx.stdout.write(`Next: ${next}\n`)
      return EXIT.ok
    } catch (error) {
      if (isPipetestError(error) && error.code === 'PROMPT_CANCELLED') {
        ctx.stderr.write(`\n${error.shortMessage}\n`)
        return EXIT.sigint
      }
      throw error
    }
  },
}
