import { describe, expect, test } from 'vitest'
import { stripJobType, toScriptName } from '../../src/builder/script-name.js'
import { scriptNameSchema } from '../../src/spec/script-execution-spec.js'

describe('toScriptName', () => {
  test.each([
    ['TabularPreprocessing_training', 'tabular_preprocessing'],
    ['TabularPreprocessing_calibration', 'tabular_preprocessing'],
    ['XGBoostModelEval_evaluation', 'xgboost_model_eval'],
    ['XGBoostTraining_training', 'xgboost_training'],
    ['XGBoostTraining', 'xgboost_training'],
    ['PyTorchTraining_training', 'pytorch_training'],
    ['PyTorchModelEval_inference', 'pytorch_model_eval'],
    ['MLFlowRegistration_registration', 'mlflow_registration'],
    ['TensorFlowTraining_validation', 'tensorflow_training'],
    ['SageMakerProcessing_testing', 'sagemaker_processing'],
    ['AutoMLSelection', 'automl_selection'],
    ['MIMSRegistration', 'mims_registration'],
    ['HTTPRequest', 'http_request'],
    ['Package', 'package'],
    ['ModelCalibration_calibration', 'model_calibration'],
    ['CradleDataLoading_training', 'cradle_data_loading'],
    // Any `_lowercase` suffix after a PascalCase head is a job type.
    ['RiskTableMapping_custom', 'risk_table_mapping'],
    ['Step2Process_training', 'step2_process'],
  ])('%s → %s', (node, script) => {
    expect(toScriptName(node)).toBe(script)
  })

  test.each([
    'tabular_preprocessing',
    'xgboost_training',
    'xgboost_model_evaluation',
    'model-eval',
    'package',
  ])('leaves the already snake_case name %s unchanged', (name) => {
    expect(toScriptName(name)).toBe(name)
  })

  test('strips a known job type even when the head is not pure PascalCase', () => {
    expect(stripJobType('Tabular_Preprocessing_training')).toBe('Tabular_Preprocessing')
    expect(toScriptName('Tabular_Preprocessing_training')).toBe('tabular_preprocessing')
  })

  test('keeps an uppercase suffix: it is part of the name, not a job type', () => {
    expect(toScriptName('Model_Training')).toBe('model_training')
  })

  test.each(['Step 1', 'a/b', '../escape', '.hidden', 'Data.Load', 'x:y'])(
    'turns %j into a name that is safe as a spec file name',
    (node) => {
      const name = toScriptName(node)
      expect(scriptNameSchema().safeParse(name).success).toBe(true)
      expect(name).not.toMatch(/[/\\.]/)
    },
  )
})
