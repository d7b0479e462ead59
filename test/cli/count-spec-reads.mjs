// Preloaded (`node --import`) into the built CLI by the tests: counts reads of spec files and
// writes the count to $PIPETEST_SPEC_READS_FILE at exit. Counting reads measures a command's
// work without timing it.
import fs from 'node:fs'
import { syncBuiltinESMExports } from 'node:module'

let reads = 0
const readFileSync = fs.readFileSync
fs.readFileSync = function countingReadFileSync(path, ...rest) {
  if (String(path).endsWith('_runtime_test_spec.json')) reads++
  return readFileSync.call(this, path, ...rest)
}
// Makes `import { readFileSync } from 'node:fs'` in the CLI see the counting version.
syncBuiltinESMExports()
process.on('exit', () => fs.writeFileSync(process.env.PIPETEST_SPEC_READS_FILE, String(reads)))
