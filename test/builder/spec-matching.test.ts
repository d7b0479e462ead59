import { describe, expect, test } from 'vitest'
import { matchStepToSpec, similarity } from '../../src/builder/spec-matching.js'

describe('matchStepToSpec', () => {
  test('an exact name wins over every other candidate', () => {
    expect(matchStepToSpec('script_a', ['script_a_v2', 'script_a', 'SCRIPT_A'])).toBe('script_a')
  })

  test.each([
    ['SCRIPT_A', ['script_a'], 'script_a'],
    ['model-eval', ['model_eval'], 'model_eval'],
    ['Model-Eval', ['model_eval'], 'model_eval'],
    ['modeleval', ['model_eval'], 'model_eval'],
    ['TabularPreprocessing_training', ['tabular_preprocessing'], 'tabular_preprocessing'],
    ['XGBoostModelEval_evaluation', ['xgboost_model_eval'], 'xgboost_model_eval'],
  ])('finds %s by a name variation', (step, available, expected) => {
    expect(matchStepToSpec(step, available)).toBe(expected)
  })

  test('finds xgboost_model_evaluation for XGBoostModelEval_evaluation when xgboost_model_eval is absent', () => {
    expect(
      matchStepToSpec('XGBoostModelEval_evaluation', [
        'tabular_preprocessing',
        'xgboost_training',
        'xgboost_model_evaluation',
        'model_calibration',
      ]),
    ).toBe('xgboost_model_evaluation')
  })

  test('prefers xgboost_model_eval over xgboost_model_evaluation when both exist', () => {
    expect(
      matchStepToSpec('XGBoostModelEval_evaluation', [
        'xgboost_model_evaluation',
        'xgboost_model_eval',
      ]),
    ).toBe('xgboost_model_eval')
  })

  test('uses the job type to choose between specs of the same script', () => {
    expect(
      matchStepToSpec('Preprocess_training', ['preprocess_calibration', 'preprocess_training']),
    ).toBe('preprocess_training')
    expect(
      matchStepToSpec('Preprocess_calibration', ['preprocess_calibration', 'preprocess_training']),
    ).toBe('preprocess_calibration')
  })

  test.each([
    // cursus' split('_')[0] variation mapped this to `xgboost`.
    ['xgboost_training_step', ['xgboost']],
    ['PyTorchTraining_training', ['xgboost_training']],
    ['ModelCalibration_calibration', ['model_evaluation']],
    ['XGBoostTraining_training', ['xgboost_model_eval']],
    ['TabularPreprocessing_training', ['risk_table_mapping', 'package', 'payload']],
    ['Package', ['payload']],
    ['DataLoad', ['load']],
    ['XGBoostTraining', ['training']],
    ['PyTorchModelEval', ['xgboost_model_eval']],
    ['XGBoostModelEval', ['xgboost_model_training']],
  ])('does not match %s to unrelated names %j', (step, available) => {
    expect(matchStepToSpec(step, available)).toBeUndefined()
  })

  test.each([
    ['DataLoad', ['data_loading'], 'data_loading'],
    ['tabular_preprocessing', ['tabular_preprocessing_v2'], 'tabular_preprocessing_v2'],
    ['ModelEval', ['model_evaluation_v2'], 'model_evaluation_v2'],
  ])('matches %s to the close name in %j', (step, available, expected) => {
    expect(matchStepToSpec(step, available)).toBe(expected)
  })

  test('breaks ties by sorted name, whatever the order of the list', () => {
    const names = ['data_loading_b', 'data_loading_a']
    expect(matchStepToSpec('DataLoading', names)).toBe('data_loading_a')
    expect(matchStepToSpec('DataLoading', [...names].reverse())).toBe('data_loading_a')
  })

  test('returns undefined for an empty list', () => {
    expect(matchStepToSpec('Anything', [])).toBeUndefined()
  })
})

describe('similarity', () => {
  test('counts a prefix token (eval / evaluation) slightly below an equal one', () => {
    const exact = similarity(['model', 'evaluation'], ['model', 'evaluation'])
    const prefix = similarity(['model', 'eval'], ['model', 'evaluation'])
    expect(exact).toBe(1)
    expect(prefix).toBeGreaterThan(0.9)
    expect(prefix).toBeLessThan(1)
  })

  test('does not count one token twice', () => {
    expect(similarity(['data', 'data'], ['data'])).toBeCloseTo(2 / 3)
  })

  test('ignores prefixes shorter than three letters', () => {
    expect(similarity(['ab'], ['abc'])).toBe(0)
  })
})
