import { runPipeline, runScript } from '@pipetest/jest'
// Each project maps this name to its own `expect`: @jest/globals', or @types/jest's global one.
import { expect } from 'expect-under-test'

export async function usage(): Promise<void> {
  const result = await runScript('Preprocess', { dag: 'pipeline.dag.json' })
  expect(result).toRunSuccessfully()
  expect(result).toProduceOutputs()
  expect(result).toProduceOutputs(['data_output'])
  expect(result).toProduceOutputsFor('Train')
  await expect(result).toBeCompatibleWith('Train')
  expect(await runPipeline('pipeline.dag.json')).not.toRunSuccessfully()

  // @ts-expect-error output names are an array
  expect(result).toProduceOutputs('data_output')
  // @ts-expect-error the downstream node is required
  expect(result).toProduceOutputsFor()
  // @ts-expect-error misspelt matcher
  expect(result).toRunSuccesfully()
}
