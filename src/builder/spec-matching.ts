import { toScriptName, toSnakeCase } from './script-name.js'

/**
 * Below this score two names are unrelated. Sharing only one of two tokens scores 0.5
 * (`PyTorchTraining` vs `xgboost_training`) and sharing two of three tokens scores 0.67
 * (`pytorch_model_eval` vs `xgboost_model_eval`, `XGBoostTraining` vs `training`): neither
 * may match, so the bar sits above both. A renamed or abbreviated token still passes
 * (`xgboost_model_eval` vs `xgboost_model_evaluation` scores 0.97).
 */
const FUZZY_THRESHOLD = 0.7

/** A token that is a prefix of another (`eval` / `evaluation`) counts a little less than equal. */
const PREFIX_WEIGHT = 0.9
const MIN_PREFIX_LENGTH = 3

/**
 * The spec name (script name) in `available` that belongs to DAG step `stepName`, or
 * undefined. In order: the exact name; simple variations (lower case, `-` → `_`, the
 * converted script name, equality once `_`/`-` are removed); then token similarity, where
 * a token matches an equal token or one it is a prefix of, scored by the Dice coefficient
 * over the tokens and required to reach {@link FUZZY_THRESHOLD}. Ties go to the name that
 * sorts first, so the answer never depends on directory listing order.
 *
 * Unlike cursus there is no "first part before `_`" variation: `xgboost_training_step` must
 * not resolve to a spec named `xgboost`.
 *
 * @example
 * matchStepToSpec('XGBoostModelEval_evaluation', ['xgboost_model_evaluation']) // 'xgboost_model_evaluation'
 * matchStepToSpec('PyTorchTraining_training', ['xgboost_training'])           // undefined
 */
export function matchStepToSpec(
  stepName: string,
  available: readonly string[],
): string | undefined {
  const names = [...new Set(available)].sort()
  if (names.includes(stepName)) return stepName

  const variations = [
    stepName.toLowerCase(),
    stepName.replace(/-/g, '_'),
    stepName.toLowerCase().replace(/-/g, '_'),
    toScriptName(stepName),
  ]
  for (const variation of variations) {
    if (names.includes(variation)) return variation
  }
  const compactStep = compact(stepName)
  const sameLetters = names.find((name) => compact(name) === compactStep)
  if (sameLetters !== undefined) return sameLetters

  return bestFuzzyMatch(stepName, names)
}

/** Lower case without separators: `Model-Eval`, `model_eval` and `modeleval` are the same name. */
function compact(name: string): string {
  return name.toLowerCase().replace(/[_\-\s]/g, '')
}

function bestFuzzyMatch(stepName: string, sortedNames: readonly string[]): string | undefined {
  // The step is compared both with and without its job type: `Preprocess_training` should
  // prefer `preprocess_training` over `preprocess_calibration`, yet still find `preprocess`.
  const withJobType = tokensOf(toSnakeCase(stepName))
  const withoutJobType = tokensOf(toScriptName(stepName))
  let best: { name: string; score: number; tieBreak: number } | undefined
  for (const name of sortedNames) {
    const candidate = tokensOf(name)
    const full = similarity(withJobType, candidate)
    const score = Math.max(full, similarity(withoutJobType, candidate))
    if (score < FUZZY_THRESHOLD) continue
    // Strictly greater: among equal scores the first name in sorted order stays.
    if (!best || score > best.score || (score === best.score && full > best.tieBreak)) {
      best = { name, score, tieBreak: full }
    }
  }
  return best?.name
}

function tokensOf(name: string): string[] {
  return toSnakeCase(name)
    .split(/[_-]+/)
    .filter((token) => token !== '')
}

/**
 * Dice coefficient over tokens with a greedy one-to-one pairing (equal tokens first, then
 * prefixes), so a repeated token cannot be counted twice.
 */
export function similarity(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0
  const unused = new Set(b.map((_, i) => i))
  let matched = 0
  const pending: string[] = []
  for (const token of a) {
    const equal = [...unused].find((i) => b[i] === token)
    if (equal === undefined) pending.push(token)
    else {
      unused.delete(equal)
      matched += 1
    }
  }
  for (const token of pending) {
    const prefix = [...unused].find((i) => isPrefixPair(token, b[i]!))
    if (prefix !== undefined) {
      unused.delete(prefix)
      matched += PREFIX_WEIGHT
    }
  }
  return (2 * matched) / (a.length + b.length)
}

function isPrefixPair(a: string, b: string): boolean {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a]
  return short.length >= MIN_PREFIX_LENGTH && long.startsWith(short)
}
