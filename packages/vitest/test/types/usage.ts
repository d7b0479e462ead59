// Type test of the matcher augmentation shipped in @pipetest/vitest's d.ts: correct calls
// compile, and each misuse below is an error (an unused @ts-expect-error fails too).
import { expect, test } from 'vitest'
import { runPipeline, runScript } from '@pipetest/vitest'

test('matchers are typed on expect()', async () => {
  const result = await runScript('Preprocess', { dag: 'pipeline.dag.json' })
  expect(result).toRunSuccessfully()
  expect(result).not.toRunSuccessfully()
  expect(result).toProduceOutputs()
  expect(result).toProduceOutputs(['data_output'])
  expect(result).toProduceOutputsFor('Train')
  await expect(result).toBeCompatibleWith('Train')
  expect(await runPipeline('pipeline.dag.json')).toRunSuccessfully()
  const pending: Promise<unknown> = expect(result).toBeCompatibleWith('Train')
  await pending

  // @ts-expect-error output names are a list
  expect(result).toProduceOutputs('data_output')
  // @ts-expect-error the downstream node is required
  expect(result).toProduceOutputsFor()
  // @ts-expect-error a node name, not a result
  expect(result).toBeCompatibleWith(result)
  // @ts-expect-error takes no argument
  expect(result).toRunSuccessfully(true)
  // @ts-expect-error misspelt matcher
  expect(result).toRunSuccesfully()
  // @ts-expect-error runScript needs a node name or a spec
  await runScript(42)
})
