import { describe, expect, it } from 'vitest'
import {
  calculateSimilarity,
  explainSimilarity,
  normalizeName,
} from '../../src/engine/semantic-matcher.js'
import { sequenceRatio } from '../../src/engine/sequence-ratio.js'

// Expected values computed with CPython 3.11's difflib and cursus' SemanticMatcher source.
const cursusScores: Array<[string, string, number, number]> = [
  ['data_output', 'data_input', 0.6244047619047619, 0.7619047619047619],
  ['model_output', 'model_input', 0.6306159420289855, 0.782608695652174],
  ['eval_output', 'evaluation_data', 0.5708333333333333, 0.46153846153846156],
  ['data_output', 'processed_data', 0.49183333333333334, 0.32],
  ['processed_data', 'input_path', 0.2, 0.3333333333333333],
  ['data_output', 'input_path', 0.1357142857142857, 0.2857142857142857],
  ['metrics_output', 'evaluation_data', 0.10344827586206896, 0.3448275862068966],
  ['train_split', 'training_data', 0.35000000000000003, 0.5833333333333334],
  ['Hyperparams.json', 'config', 0.19090909090909092, 0.18181818181818182],
  ['a', 'b', 0, 0],
  ['', 'x', 0, 0],
  ['the_data', 'data', 1, 0.6666666666666666],
]

describe('SemanticMatcher port', () => {
  it.each(cursusScores)('scores %s ~ %s as cursus does', (a, b, score, ratio) => {
    expect(calculateSimilarity(a, b)).toBeCloseTo(score, 12)
    expect(sequenceRatio(a, b)).toBeCloseTo(ratio, 12)
  })

  it("applies difflib's autojunk heuristic to long names", () => {
    // CPython: SequenceMatcher(None, 'abc'*80, 'cab'*80).ratio() == 0.0 (every char is "popular").
    expect(sequenceRatio('abc'.repeat(80), 'cab'.repeat(80))).toBe(0)
  })

  it('normalises separators, abbreviations and stop words', () => {
    expect(normalizeName('Eval-Config.of_the_Model')).toBe('evaluation configuration model')
    expect(normalizeName('hyperparams')).toBe('hyperparameters')
  })

  it('is symmetric for the scores that matter and explains its parts', () => {
    const explained = explainSimilarity('data_output', 'data_input')
    expect(explained.normalizedNames).toEqual(['data output', 'data input'])
    expect(explained.tokenSimilarity).toBeCloseTo(1 / 3, 12)
    expect(calculateSimilarity('data_input', 'data_output')).toBeCloseTo(explained.overallScore, 12)
  })
})
