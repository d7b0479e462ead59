import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { writeFileAtomic } from '../files/atomic-write.js'

/** Patterns that already keep every `.pipetest/` folder out of git, at any depth. */
const COVERING = new Set(['.pipetest', '.pipetest/', '**/.pipetest', '**/.pipetest/'])
const LINE = '.pipetest/'

export interface GitignoreUpdate {
  file: string
  action: 'added' | 'created' | 'present'
}

/**
 * Makes the nearest `.gitignore` ignore pipetest's run folders. "Nearest" looks from
 * `rootDir` up to the repository root (the folder holding `.git`) and never above it, so
 * a `.gitignore` in the user's home folder is not touched; without one, it is created at
 * `rootDir`. An existing file gets one line appended and keeps everything else byte for byte.
 */
export function ensureGitignored(rootDir: string): GitignoreUpdate {
  const file = nearestGitignore(rootDir) ?? join(rootDir, '.gitignore')
  if (!existsSync(file)) {
    writeFileAtomic(file, `${LINE}\n`)
    return { file, action: 'created' }
  }
  const text = readFileSync(file, 'utf8')
  if (text.split(/\r?\n/).some((line) => COVERING.has(line.trim()))) {
    return { file, action: 'present' }
  }
  const separator = text === '' || text.endsWith('\n') ? '' : '\n'
  writeFileAtomic(file, `${text}${separator}${LINE}\n`)
  return { file, action: 'added' }
}

function nearestGitignore(rootDir: string): string | undefined {
  let dir = rootDir
  const candidates: string[] = []
  for (;;) {
    candidates.push(join(dir, '.gitignore'))
    if (existsSync(join(dir, '.git'))) break
    const parent = dirname(dir)
    // Outside a repository only the root itself is considered.
    if (parent === dir) return existsSync(candidates[0]!) ? candidates[0] : undefined
    dir = parent
  }
  return candidates.find((file) => existsSync(file))
}
