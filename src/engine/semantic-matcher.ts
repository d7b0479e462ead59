import { sequenceRatio } from './sequence-ratio.js'

/**
 * cursus' SemanticMatcher (core/deps/semantic_matcher.py), ported score for score so that
 * port names match the way cursus users expect: normalise both names (lower case,
 * separators to spaces, abbreviations expanded, stop words dropped), then
 * `0.3 × string + 0.25 × token + 0.25 × synonym + 0.2 × substring` similarity.
 * It is a pure function of its two arguments, so the same names always give the same score.
 */

const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  ['model', 'artifact', 'trained', 'output'],
  ['data', 'dataset', 'input', 'processed', 'training'],
  ['config', 'configuration', 'params', 'parameters', 'hyperparameters', 'settings'],
  ['payload', 'sample', 'test', 'inference', 'example'],
  ['output', 'result', 'artifact', 'generated', 'produced'],
  ['training', 'train', 'fit', 'learn'],
  ['preprocessing', 'preprocess', 'processed', 'clean', 'transform'],
]

const ABBREVIATIONS: Readonly<Record<string, string>> = {
  config: 'configuration',
  params: 'parameters',
  hyperparams: 'hyperparameters',
  preprocess: 'preprocessing',
  eval: 'evaluation',
  reg: 'registration',
  pkg: 'package',
  packaged: 'package',
}

const STOP_WORDS = new Set('the a an and or but in on at to for of with by'.split(' '))

export interface SimilarityExplanation {
  overallScore: number
  normalizedNames: [string, string]
  stringSimilarity: number
  tokenSimilarity: number
  semanticSimilarity: number
  substringSimilarity: number
}

/** `data_output` → `data output`; `eval-metrics` → `evaluation metrics`. */
export function normalizeName(name: string): string {
  const words = name
    .toLowerCase()
    .replace(/[_\-.]/g, ' ')
    .replace(/[^a-z0-9\s]/g, '')
    .split(/\s+/)
    .filter((word) => word !== '')
  return words
    .map((word) => (Object.hasOwn(ABBREVIATIONS, word) ? ABBREVIATIONS[word]! : word))
    .filter((word) => !STOP_WORDS.has(word))
    .join(' ')
}

/**
 * Similarity of two logical names in [0, 1]; 1 when they normalise to the same words.
 *
 * @example
 * calculateSimilarity('data_output', 'data_input') // ≈ 0.624, as in cursus
 */
export function calculateSimilarity(name1: string, name2: string): number {
  return explainSimilarity(name1, name2).overallScore
}

export function explainSimilarity(name1: string, name2: string): SimilarityExplanation {
  const a = normalizeName(name1)
  const b = normalizeName(name2)
  const parts = {
    stringSimilarity: sequenceRatio(a, b),
    tokenSimilarity: tokenSimilarity(a, b),
    semanticSimilarity: synonymSimilarity(a, b),
    substringSimilarity: substringSimilarity(a, b),
  }
  let overallScore: number
  if (name1 === '' || name2 === '') overallScore = 0
  else if (a === b) overallScore = 1
  else
    overallScore =
      parts.stringSimilarity * 0.3 +
      parts.tokenSimilarity * 0.25 +
      parts.semanticSimilarity * 0.25 +
      parts.substringSimilarity * 0.2
  return { overallScore, normalizedNames: [a, b], ...parts }
}

function tokens(name: string): Set<string> {
  return new Set(name.split(' ').filter((word) => word !== ''))
}

function tokenSimilarity(a: string, b: string): number {
  const left = tokens(a)
  const right = tokens(b)
  if (left.size === 0 || right.size === 0) return 0
  const shared = [...left].filter((word) => right.has(word)).length
  return shared / (left.size + right.size - shared)
}

function synonymSimilarity(a: string, b: string): number {
  const left = tokens(a)
  const right = tokens(b)
  let score = 0
  let comparisons = 0
  for (const x of left) {
    for (const y of right) {
      comparisons++
      if (x === y) score += 1
      else if (areSynonyms(x, y)) score += 0.8
    }
  }
  return comparisons === 0 ? 0 : score / comparisons
}

function areSynonyms(x: string, y: string): boolean {
  return SYNONYM_GROUPS.some((group) => group.includes(x) && group.includes(y))
}

function substringSimilarity(a: string, b: string): number {
  if (a.includes(b) || b.includes(a)) return lengthRatio(a, b)
  let best = 0
  for (const x of a.split(' ')) {
    for (const y of b.split(' ')) {
      if (x.length >= 3 && y.length >= 3 && (x.includes(y) || y.includes(x)))
        best = Math.max(best, lengthRatio(x, y))
    }
  }
  return best
}

function lengthRatio(a: string, b: string): number {
  const longer = Math.max(a.length, b.length)
  return longer === 0 ? 0 : Math.min(a.length, b.length) / longer
}
