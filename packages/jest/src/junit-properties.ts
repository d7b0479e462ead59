import { statSync } from 'node:fs'
import {
  propertiesDirectory,
  readPropertiesFiles,
  type TestCaseProperties,
} from './properties-store.js'

/** The fields of jest-junit's argument (a Jest `AssertionResult`) the lookup uses. */
interface JunitTestCase {
  fullName?: string
  /** Jest ≥ 30 only. */
  startAt?: number | null
  duration?: number | null
}

interface PropertiesIndex {
  /** Modification time of the folder when it was read; a new file changes it. */
  version: number
  byFullName: Map<string, TestCaseProperties[]>
}

let index: PropertiesIndex | undefined

/**
 * jest-junit's testcase properties function: the properties `PipetestEnvironment` recorded for
 * this testcase (node, script, runner, exitCode, durationMs, runDir), `{}` for any other test.
 * jest-junit `require`s a file by path, so point it at this module from a one-line file:
 *
 * @example
 * // junitTestCaseProperties.js (jest-junit's default name, next to package.json)
 * module.exports = require('@pipetest/jest/junit-properties')
 */
function pipetestTestCaseProperties(testCase: JunitTestCase): Record<string, string> {
  if (testCase.fullName === undefined) return {}
  const candidates = currentIndex().byFullName.get(testCase.fullName)
  if (!candidates) return {}
  const match = namesakeOf(candidates, testCase)
  return match ? { ...match.properties } : {}
}

/**
 * Two files may hold tests with one name (the same pipeline described twice). Jest 30 gives
 * jest-junit the start time, which tells them apart; Jest 29 gives only the duration, which
 * does unless two namesakes took the same milliseconds — then neither gets properties rather
 * than one getting the other's.
 */
function namesakeOf(
  candidates: TestCaseProperties[],
  testCase: JunitTestCase,
): TestCaseProperties | undefined {
  if (typeof testCase.startAt === 'number') {
    return candidates.find((candidate) => candidate.startAt === testCase.startAt)
  }
  if (candidates.length === 1) return candidates[0]
  const sameDuration = candidates.filter((candidate) => candidate.duration === testCase.duration)
  return typeof testCase.duration === 'number' && sameDuration.length === 1
    ? sameDuration[0]
    : undefined
}

/** Read once per report; re-read when the environment wrote since (watch mode reruns). */
function currentIndex(): PropertiesIndex {
  const directory = propertiesDirectory()
  let version = -1
  try {
    version = statSync(directory).mtimeMs
  } catch {
    // No folder: no pipetest test has run from here yet.
  }
  if (index?.version === version) return index
  const byFullName = new Map<string, TestCaseProperties[]>()
  for (const file of readPropertiesFiles(directory)) {
    for (const test of file.tests) {
      const sameName = byFullName.get(test.fullName)
      if (sameName) sameName.push(test)
      else byFullName.set(test.fullName, [test])
    }
  }
  index = { version, byFullName }
  return index
}

export = pipetestTestCaseProperties
