/**
 * Brand spellings that the generic CamelCase split would cut in the wrong place
 * (`XGBoost` → `xg_boost`); cursus rewrites them first, and so do we, so both tools agree on
 * the script name of a node.
 */
const SPECIAL_CASES: ReadonlyArray<readonly [string, string]> = [
  ['XGBoost', 'Xgboost'],
  ['PyTorch', 'Pytorch'],
  ['MLFlow', 'Mlflow'],
  ['TensorFlow', 'Tensorflow'],
  ['SageMaker', 'Sagemaker'],
  ['AutoML', 'Automl'],
]

/** Job types cursus appends to a step name; stripped even when the head is not pure PascalCase. */
const KNOWN_JOB_TYPES = [
  'training',
  'evaluation',
  'calibration',
  'inference',
  'registration',
  'testing',
  'validation',
]

/** `PascalCaseHead_lowercase`: the lowercase part is a job type (`TabularPreprocessing_training`). */
const PASCAL_WITH_JOB_TYPE = /^([A-Z][A-Za-z0-9]*)_[a-z][a-z0-9]*$/

/**
 * The step name without its job type: `TabularPreprocessing_training` → `TabularPreprocessing`.
 * Names without an uppercase letter are already script names (`xgboost_training` is a script,
 * not `xgboost` with a job type) and are returned unchanged.
 */
export function stripJobType(nodeName: string): string {
  if (!/[A-Z]/.test(nodeName)) return nodeName
  const pascal = PASCAL_WITH_JOB_TYPE.exec(nodeName)
  if (pascal) return pascal[1]!
  for (const jobType of KNOWN_JOB_TYPES) {
    const suffix = `_${jobType}`
    if (nodeName.endsWith(suffix) && nodeName.length > suffix.length) {
      return nodeName.slice(0, -suffix.length)
    }
  }
  return nodeName
}

/**
 * CamelCase → snake_case with cursus' special cases and regexes, without stripping anything:
 * `XGBoostModelEval` → `xgboost_model_eval`, `HTTPRequest` → `http_request`.
 */
export function toSnakeCase(name: string): string {
  let result = name
  for (const [brand, replacement] of SPECIAL_CASES) result = result.split(brand).join(replacement)
  result = result.replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
  result = result.replace(/([a-z\d])([A-Z])/g, '$1_$2')
  // A script name becomes part of a file name under `.specs/`: anything else than letters,
  // digits, `_` and `-` (spaces, dots, slashes) turns into `_` so the name is always usable.
  return result.toLowerCase().replace(/[^a-z0-9_-]+/g, '_')
}

/**
 * The script name (file stem) cursus would give a DAG node: strip the job-type suffix, then
 * snake_case. Already-snake names stay as they are.
 *
 * @example
 * toScriptName('TabularPreprocessing_training') // 'tabular_preprocessing'
 * toScriptName('XGBoostModelEval_evaluation')   // 'xgboost_model_eval'
 * toScriptName('MIMSRegistration')              // 'mims_registration'
 */
export function toScriptName(nodeName: string): string {
  return toSnakeCase(stripJobType(nodeName))
}
